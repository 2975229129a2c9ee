// /docs and /redoc (app/api/docs.py): form controls that Swagger UI and Redoc draw without a name, which screen
// readers then announce as a bare "combo box", "edit text" or "button", get one. Swagger UI: a parameter's field
// is named after the parameter, the request body's after itself, the icon-only copy buttons "Copy to clipboard";
// its highlighted response bodies, boxes that scroll sideways, take keyboard focus so that they can be scrolled.
// Redoc 2 passes its drop-downs a name ("Content type", "Example") that never reaches the <select>; the label
// shown beside it, or that name, is put back.
//
// Redoc's side menu is a <ul role="menu"> of <li role="menuitem">, each named by aria-label, but a tag's own entries
// are in a plain <ul> inside its item: once the tag opens, they are menu items outside any menu (axe-core:
// aria-required-parent) in a list of things that are not list items (list), and the tag's item contains all of
// their text, which its name does not (label-content-name-mismatch), as an operation's misses its method badge.
// So the menu takes the shape of a menu with submenus: each <li> is only a container (role "none"), the text of
// its entry is the menu item (focusable, named by its text, the method included, and "expanded" for a tag), and
// the <ul> of a tag's entries (and the list of search results) is a menu. Redoc's own keyboard handling is kept:
// Enter and Space on the entry reach the <li>'s handler; React sets aria-expanded on the <li> again on each
// toggle, and it is moved to the entry.
(() => {
  const redocMenu = () => {
    const items = '.redoc-wrap li[role="menuitem"], .redoc-wrap li[role="none"][aria-expanded]';
    for (const item of document.querySelectorAll(items)) {
      const entry = item.querySelector(":scope > label > span[width]"); // Redoc's entry text, beside any badge
      if (!entry) continue;
      if (item.getAttribute("role") === "menuitem") {
        const badges = [...item.querySelectorAll(":scope > label > span:not([width])")];
        badges.forEach((badge) => badge.setAttribute("aria-hidden", "true")); // read as part of the entry's name
        const shown = [...badges, entry].map((part) => part.textContent.trim()).filter(Boolean).join(" ");
        if (badges.length) entry.setAttribute("aria-label", shown);
        entry.setAttribute("role", "menuitem");
        entry.setAttribute("tabindex", "0");
        item.setAttribute("role", "none");
        item.removeAttribute("tabindex");
        item.removeAttribute("aria-label");
        item.querySelector(":scope > ul")?.setAttribute("role", "menu");
      }
      const expanded = item.getAttribute("aria-expanded") ?? "false";
      if (item.querySelector(":scope > ul")) entry.setAttribute("aria-expanded", expanded);
      item.removeAttribute("aria-expanded");
    }
    for (const results of document.querySelectorAll('.redoc-wrap [data-role="search:results"]:not([role])')) {
      if (results.querySelector("li")) {
        results.setAttribute("role", "menu");
        results.setAttribute("aria-label", "Search results");
      }
    }
  };
  const redocName = (select) => {
    const shown = select.parentElement?.previousElementSibling; // Redoc's visible "Content type", if any
    if (shown?.tagName === "SPAN" && shown.textContent.trim()) return shown.textContent.trim();
    return [...select.options].every((option) => option.value.includes("/")) ? "Content type" : "Example";
  };
  const nameOf = (control) => {
    const parameter = control.closest("tr[data-param-name]");
    if (parameter) return parameter.dataset.paramName;
    if (control.classList.contains("body-param__text")) return "Request body";
    return control.tagName === "SELECT" && control.closest(".redoc-wrap") ? redocName(control) : null;
  };
  const name = () => {
    const unnamed = "select:not([aria-label]):not([aria-labelledby]), textarea:not([aria-label]):not([aria-labelledby])";
    for (const control of document.querySelectorAll(unnamed)) {
      const label = control.labels?.length ? null : nameOf(control);
      if (label) control.setAttribute("aria-label", label);
    }
    for (const button of document.querySelectorAll(".copy-to-clipboard > button:not([aria-label])")) {
      if (!button.textContent.trim()) button.setAttribute("aria-label", "Copy to clipboard");
    }
    for (const body of document.querySelectorAll(".swagger-ui pre.microlight:not([tabindex])")) {
      body.setAttribute("tabindex", "0");
    }
  };
  const update = () => {
    name();
    redocMenu();
  };
  const changes = { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded"] };
  new MutationObserver(update).observe(document.body, changes);
  update();
})();
