// Shared by snapshot.js and act.js: elements in document order, open shadow roots included (a
// host's shadow content comes before its light children), so both scripts count fields alike.
var __samlbridgeDeep = function (root, selector) {
  const out = [];
  const visit = (node) => {
    for (const child of node.children) {
      if (child.matches(selector)) { out.push(child); }
      if (child.shadowRoot) { visit(child.shadowRoot); }
      visit(child);
    }
  };
  visit(root);
  return out;
};
