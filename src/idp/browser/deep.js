// Shared by snapshot.js and act.js: elements in document order, open shadow roots and same-origin
// frames included (a host's shadow content, or a frame's page, comes before its own children), so
// both scripts count fields alike.
var __samlbridgeFrameBody = function (el) {
  if (el.tagName !== 'IFRAME' && el.tagName !== 'FRAME') { return null; }
  try {
    const doc = el.contentDocument;
    return doc && doc.body ? doc.body : null;
  } catch (e) {
    return null;
  }
};
var __samlbridgeDeep = function (root, selector) {
  const out = [];
  const visit = (node) => {
    for (const child of node.children) {
      if (child.matches(selector)) { out.push(child); }
      if (child.shadowRoot) { visit(child.shadowRoot); }
      const framed = __samlbridgeFrameBody(child);
      if (framed) { visit(framed); }
      visit(child);
    }
  };
  visit(root);
  return out;
};
