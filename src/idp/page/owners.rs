//! Which form owns each control, as a browser's HTML parser decides it: the form a control was
//! parsed in while that form was open, even where markup closed an element early and left the
//! control outside the form's subtree; else a `form="id"` attribute; else the nearest `<form>`
//! above it. A form nested in another by early-closed markup owns its own controls.
//!
//! scraper's tree sink drops html5ever's form associations (`associate_with_form`), so this sink
//! wraps it and keeps them.

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, QualName};
use scraper::{ElementRef, Html, HtmlTreeSink};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

type Handle = <HtmlTreeSink as TreeSink>::Handle;

/// Controls the parser associated with a form: control node → form node.
#[derive(Debug, Default)]
pub struct FormOwners(HashMap<Handle, Handle>);

/// Parses `body` as a browser does, keeping the parser's form associations.
pub fn parse(body: &str) -> (Html, FormOwners) {
    let sink = OwnerSink {
        html: HtmlTreeSink::new(Html::new_document()),
        owners: RefCell::default(),
    };
    html5ever::driver::parse_document(sink, Default::default()).one(body)
}

impl FormOwners {
    /// The form that owns `control`: `form="id"` names it (a form with that id, else none), else
    /// the parser's association, else the nearest `<form>` above it.
    pub fn owner<'a>(&self, html: &'a Html, control: ElementRef<'a>) -> Option<ElementRef<'a>> {
        if let Some(id) = control.value().attr("form") {
            return html
                .root_element()
                .descendent_elements()
                .find(|e| e.value().id() == Some(id))
                .filter(|e| e.value().name() == "form");
        }
        if let Some(form) = self.0.get(&control.id()) {
            return html.tree.get(*form).and_then(ElementRef::wrap);
        }
        control
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find(|a| a.value().name() == "form")
    }
}

struct OwnerSink {
    html: HtmlTreeSink,
    owners: RefCell<HashMap<Handle, Handle>>,
}

impl TreeSink for OwnerSink {
    type Output = (Html, FormOwners);
    type Handle = Handle;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Self::Output {
        (self.html.finish(), FormOwners(self.owners.into_inner()))
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.html.parse_error(msg);
    }
    fn get_document(&self) -> Handle {
        self.html.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a Handle) -> Self::ElemName<'a> {
        self.html.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> Handle {
        self.html.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> Handle {
        self.html.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Handle {
        self.html.create_pi(target, data)
    }
    fn append(&self, parent: &Handle, child: NodeOrText<Handle>) {
        self.html.append(parent, child);
    }
    fn append_based_on_parent_node(
        &self,
        element: &Handle,
        prev_element: &Handle,
        child: NodeOrText<Handle>,
    ) {
        self.html
            .append_based_on_parent_node(element, prev_element, child);
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.html
            .append_doctype_to_document(name, public_id, system_id);
    }
    fn get_template_contents(&self, target: &Handle) -> Handle {
        self.html.get_template_contents(target)
    }
    fn same_node(&self, x: &Handle, y: &Handle) -> bool {
        self.html.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.html.set_quirks_mode(mode);
    }
    fn append_before_sibling(&self, sibling: &Handle, new_node: NodeOrText<Handle>) {
        self.html.append_before_sibling(sibling, new_node);
    }
    fn add_attrs_if_missing(&self, target: &Handle, attrs: Vec<Attribute>) {
        self.html.add_attrs_if_missing(target, attrs);
    }
    fn associate_with_form(&self, target: &Handle, form: &Handle, _: (&Handle, Option<&Handle>)) {
        self.owners.borrow_mut().insert(*target, *form);
    }
    fn remove_from_parent(&self, target: &Handle) {
        self.html.remove_from_parent(target);
    }
    fn reparent_children(&self, node: &Handle, new_parent: &Handle) {
        self.html.reparent_children(node, new_parent);
    }
}

#[cfg(test)]
mod tests;
