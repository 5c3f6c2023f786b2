//! Joins the PDFs of a document laid out in parts (a large season's award summary, see
//! `report.summary_rows_per_part`) into one tagged PDF: every part's pages in order under one
//! page tree, their structure trees under one `Document` element, and one outline of every
//! part's headings, nested by level across parts.
//!
//! Typst cannot join documents: each part is a PDF/UA-1 file of its own, and joining keeps
//! what makes it one. A part's structure-parent keys are moved past the previous parts', and
//! its structure element ids (table header cells that data cells name) get the part's prefix,
//! so nothing of one part points into another.

use lopdf::{Dictionary, Document, Object, ObjectId, SaveOptions, StringFormat};

/// One part: its PDF, and the headings its outline is made of.
pub struct Part {
    pub pdf: Vec<u8>,
    pub headings: Vec<Heading>,
}

/// A heading of a part, where the outline takes the reader.
pub struct Heading {
    pub level: usize,
    pub title: String,
    /// The page, from 0, in its part.
    pub page: usize,
    /// The point to show, in PDF coordinates (from the page's bottom left).
    pub x: f32,
    pub y: f32,
}

/// Why the parts could not be joined.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("cannot read a part: {0}")]
    Pdf(#[from] lopdf::Error),
    #[error("a part has no {0}")]
    Shape(&'static str),
    #[error("cannot write the joined PDF: {0}")]
    Write(#[from] std::io::Error),
}

/// What the joined document holds so far, beside its objects.
struct Joined {
    doc: Document,
    document_element: ObjectId,
    pages_root: ObjectId,
    pages: Vec<ObjectId>,
    kids: Vec<Object>,
    parent_tree: Vec<(i64, Object)>,
    next_key: i64,
    ids: Vec<(Vec<u8>, Object)>,
    role_map: Dictionary,
    headings: Vec<(usize, String, ObjectId, f32, f32)>,
}

/// The parts, in order, as one PDF.
pub fn join(parts: &[Part]) -> Result<Vec<u8>, JoinError> {
    let mut joined: Option<Joined> = None;
    for (n, part) in parts.iter().enumerate() {
        let mut doc = Document::load_mem(&part.pdf)?;
        joined = Some(match joined {
            None => first(doc, &part.headings)?,
            Some(mut joined) => {
                doc.renumber_objects_with(joined.doc.max_id + 1);
                append(&mut joined, doc, n, &part.headings)?;
                joined
            }
        });
    }
    let joined = joined.ok_or(JoinError::Shape("parts"))?;
    finish(joined)
}

/// A part's skeleton: the objects the joined document has one of.
struct Skeleton {
    catalog: ObjectId,
    pages_root: ObjectId,
    struct_root: ObjectId,
    document_element: ObjectId,
    pages: Vec<ObjectId>,
}

fn skeleton(doc: &Document) -> Result<Skeleton, JoinError> {
    let catalog = doc.trailer.get(b"Root")?.as_reference()?;
    let catalog_dict = doc.get_dictionary(catalog)?;
    let pages_root = catalog_dict.get(b"Pages")?.as_reference()?;
    let struct_root = catalog_dict
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference)
        .map_err(|_| JoinError::Shape("structure tree"))?;
    let document_element = match doc.get_dictionary(struct_root)?.get(b"K")? {
        Object::Reference(id) => *id,
        Object::Array(kids) if kids.len() == 1 => kids[0].as_reference()?,
        _ => return Err(JoinError::Shape("single Document structure element")),
    };
    Ok(Skeleton {
        catalog,
        pages_root,
        struct_root,
        document_element,
        pages: doc.get_pages().into_values().collect(),
    })
}

/// The structure tree's parts that are joined: its parent tree, ids and role map.
struct Structure {
    kids: Vec<Object>,
    parent_tree: Vec<(i64, Object)>,
    next_key: i64,
    ids: Vec<(Vec<u8>, Object)>,
    role_map: Dictionary,
}

fn structure(doc: &Document, skeleton: &Skeleton) -> Result<Structure, JoinError> {
    let root = doc.get_dictionary(skeleton.struct_root)?;
    let kids = match doc.get_dictionary(skeleton.document_element)?.get(b"K") {
        Ok(Object::Array(kids)) => kids.clone(),
        Ok(kid) => vec![kid.clone()],
        Err(_) => Vec::new(),
    };
    let mut parent_tree = Vec::new();
    if let Ok(tree) = root.get_deref(b"ParentTree", doc) {
        flatten(doc, tree, b"Nums", &mut |key, value| {
            parent_tree.push((key.as_i64()?, value));
            Ok(())
        })?;
    }
    let mut ids = Vec::new();
    if let Ok(tree) = root.get_deref(b"IDTree", doc) {
        flatten(doc, tree, b"Names", &mut |key, value| {
            ids.push((key.as_str()?.to_vec(), value));
            Ok(())
        })?;
    }
    let role_map = match root.get_deref(b"RoleMap", doc) {
        Ok(Object::Dictionary(map)) => map.clone(),
        _ => Dictionary::new(),
    };
    let next_key = match root.get(b"ParentTreeNextKey") {
        Ok(key) => key.as_i64()?,
        Err(_) => parent_tree.iter().map(|(k, _)| k + 1).max().unwrap_or(0),
    };
    Ok(Structure {
        kids,
        parent_tree,
        next_key,
        ids,
        role_map,
    })
}

/// Every (key, value) of a number tree (`Nums`) or name tree (`Names`), in its order.
fn flatten(
    doc: &Document,
    node: &Object,
    leaf: &[u8],
    each: &mut dyn FnMut(&Object, Object) -> lopdf::Result<()>,
) -> lopdf::Result<()> {
    let node = node.as_dict()?;
    if let Ok(pairs) = node.get(leaf).and_then(Object::as_array) {
        for pair in pairs.chunks(2) {
            if let [key, value] = pair {
                each(key, value.clone())?;
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            flatten(doc, doc.get_object(kid.as_reference()?)?, leaf, each)?;
        }
    }
    Ok(())
}

fn first(doc: Document, headings: &[Heading]) -> Result<Joined, JoinError> {
    let skeleton = skeleton(&doc)?;
    let structure = structure(&doc, &skeleton)?;
    let headings = place(headings, &skeleton.pages);
    Ok(Joined {
        doc,
        document_element: skeleton.document_element,
        pages_root: skeleton.pages_root,
        pages: skeleton.pages,
        kids: structure.kids,
        parent_tree: structure.parent_tree,
        next_key: structure.next_key,
        ids: structure.ids,
        role_map: structure.role_map,
        headings,
    })
}

fn place(headings: &[Heading], pages: &[ObjectId]) -> Vec<(usize, String, ObjectId, f32, f32)> {
    headings
        .iter()
        .filter_map(|h| Some((h.level, h.title.clone(), *pages.get(h.page)?, h.x, h.y)))
        .collect()
}

/// Adds part `n` (renumbered past the joined objects) to the joined document.
fn append(
    joined: &mut Joined,
    mut doc: Document,
    n: usize,
    headings: &[Heading],
) -> Result<(), JoinError> {
    let skeleton = skeleton(&doc)?;
    let structure = structure(&doc, &skeleton)?;
    let offset = joined.next_key;
    let prefix = format!("part{n}-").into_bytes();
    let moved = [
        (skeleton.document_element, joined.document_element),
        (skeleton.pages_root, joined.pages_root),
    ];
    for object in doc.objects.values_mut() {
        relink(object, &moved, offset, &prefix);
    }
    for id in [
        skeleton.catalog,
        skeleton.struct_root,
        skeleton.document_element,
        skeleton.pages_root,
    ] {
        doc.objects.remove(&id);
    }
    joined.headings.extend(place(headings, &skeleton.pages));
    joined.pages.extend(skeleton.pages);
    joined
        .kids
        .extend(structure.kids.into_iter().map(|mut kid| {
            relink(&mut kid, &moved, offset, &prefix);
            kid
        }));
    joined
        .parent_tree
        .extend(structure.parent_tree.into_iter().map(|(key, mut value)| {
            relink(&mut value, &moved, offset, &prefix);
            (key + offset, value)
        }));
    joined.next_key += structure.next_key;
    joined.ids.extend(
        structure
            .ids
            .into_iter()
            .map(|(key, value)| ([prefix.as_slice(), &key].concat(), value)),
    );
    for (role, standard) in structure.role_map {
        joined.role_map.set(role, standard);
    }
    joined.doc.max_id = doc.max_id;
    joined.doc.objects.extend(doc.objects);
    Ok(())
}

/// Points a part's references at the joined document's (`moved`: from, to), moves its
/// structure-parent keys by `offset` and gives its structure element ids `prefix`.
fn relink(object: &mut Object, moved: &[(ObjectId, ObjectId)], offset: i64, prefix: &[u8]) {
    match object {
        Object::Reference(id) => {
            if let Some((_, to)) = moved.iter().find(|(from, _)| from == id) {
                *id = *to;
            }
        }
        Object::Array(items) => {
            for item in items {
                relink(item, moved, offset, prefix);
            }
        }
        Object::Dictionary(dict) => relink_dict(dict, moved, offset, prefix),
        Object::Stream(stream) => relink_dict(&mut stream.dict, moved, offset, prefix),
        _ => {}
    }
}

fn relink_dict(dict: &mut Dictionary, moved: &[(ObjectId, ObjectId)], offset: i64, prefix: &[u8]) {
    for (key, value) in dict.iter_mut() {
        match (key.as_slice(), &mut *value) {
            (b"StructParents" | b"StructParent", Object::Integer(k)) => *k += offset,
            (b"ID", Object::String(id, _)) => *id = [prefix, id.as_slice()].concat(),
            (b"Headers", Object::Array(ids)) => {
                for id in ids {
                    if let Object::String(id, _) = id {
                        *id = [prefix, id.as_slice()].concat();
                    }
                }
            }
            _ => relink(value, moved, offset, prefix),
        }
    }
}

/// Writes the joined page tree, structure tree and outline, and saves.
fn finish(mut joined: Joined) -> Result<Vec<u8>, JoinError> {
    let doc = &mut joined.doc;
    let pages: Vec<Object> = joined.pages.iter().map(|&id| id.into()).collect();
    let pages_root = doc.get_dictionary_mut(joined.pages_root)?;
    pages_root.set("Count", pages.len() as i64);
    pages_root.set("Kids", pages);
    doc.get_dictionary_mut(joined.document_element)?
        .set("K", joined.kids);
    joined.parent_tree.sort_by_key(|(key, _)| *key);
    joined.ids.sort_by(|a, b| a.0.cmp(&b.0));
    let nums: Vec<Object> = joined
        .parent_tree
        .into_iter()
        .flat_map(|(key, value)| [Object::Integer(key), value])
        .collect();
    let names: Vec<Object> = joined
        .ids
        .into_iter()
        .flat_map(|(key, value)| [Object::String(key, StringFormat::Literal), value])
        .collect();
    let catalog = doc.trailer.get(b"Root")?.as_reference()?;
    let struct_root = doc
        .get_dictionary(catalog)?
        .get(b"StructTreeRoot")?
        .as_reference()?;
    let root = doc.get_dictionary_mut(struct_root)?;
    root.set(
        "ParentTree",
        Dictionary::from_iter([("Nums", Object::Array(nums))]),
    );
    root.set("ParentTreeNextKey", joined.next_key);
    if !names.is_empty() {
        root.set(
            "IDTree",
            Dictionary::from_iter([("Names", Object::Array(names))]),
        );
    }
    if !joined.role_map.is_empty() {
        root.set("RoleMap", joined.role_map);
    }
    let outline = outline(doc, &joined.headings);
    let catalog = doc.get_dictionary_mut(catalog)?;
    match outline {
        Some(id) => catalog.set("Outlines", id),
        None => {
            catalog.remove(b"Outlines");
        }
    }
    doc.prune_objects();
    doc.renumber_objects();
    let mut pdf = Vec::new();
    let options = SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .build();
    doc.save_with_options(&mut pdf, options)?;
    Ok(pdf)
}

/// An outline item while the tree is built.
struct Item {
    parent: Option<usize>,
    children: Vec<usize>,
}

/// The outline of every heading, each under the last heading before it of a lower level (as
/// Typst nests them), every item closed; `None` without headings.
fn outline(
    doc: &mut Document,
    headings: &[(usize, String, ObjectId, f32, f32)],
) -> Option<ObjectId> {
    if headings.is_empty() {
        return None;
    }
    let mut items: Vec<Item> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, (level, ..)) in headings.iter().enumerate() {
        while open.last().is_some_and(|&o| headings[o].0 >= *level) {
            open.pop();
        }
        let parent = open.last().copied();
        if let Some(p) = parent {
            items[p].children.push(i);
        }
        items.push(Item {
            parent,
            children: Vec::new(),
        });
        open.push(i);
    }
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = items.iter().map(|_| doc.new_object_id()).collect();
    let top: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].parent.is_none())
        .collect();
    let siblings = |i: usize| match items[i].parent {
        Some(p) => &items[p].children,
        None => &top,
    };
    for (i, item) in items.iter().enumerate() {
        let (_, title, page, x, y) = &headings[i];
        let mut dict = Dictionary::from_iter([
            ("Title", text_string(title)),
            ("Parent", item.parent.map_or(root, |p| ids[p]).into()),
            (
                "Dest",
                vec![
                    (*page).into(),
                    "XYZ".into(),
                    (*x).into(),
                    (*y).into(),
                    Object::Null,
                ]
                .into(),
            ),
        ]);
        let row = siblings(i);
        let at = row
            .iter()
            .position(|&s| s == i)
            .expect("an item is its parent's child");
        if at > 0 {
            dict.set("Prev", ids[row[at - 1]]);
        }
        if let Some(&next) = row.get(at + 1) {
            dict.set("Next", ids[next]);
        }
        if let (Some(&first), Some(&last)) = (item.children.first(), item.children.last()) {
            dict.set("First", ids[first]);
            dict.set("Last", ids[last]);
            dict.set("Count", -(item.children.len() as i64));
        }
        doc.objects.insert(ids[i], dict.into());
    }
    let outlines = Dictionary::from_iter([
        ("Type", Object::from("Outlines")),
        ("First", ids[top[0]].into()),
        ("Last", ids[*top.last().expect("a first item")].into()),
        ("Count", (top.len() as i64).into()),
    ]);
    doc.objects.insert(root, outlines.into());
    Some(root)
}

/// A PDF text string: UTF-16BE behind its byte-order mark, which holds any title.
fn text_string(text: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// Whether a laid-out document is a part, as a template marks it (`<ksp-part>`).
pub fn is_part(document: &typst_layout::PagedDocument) -> bool {
    use typst::introspection::Introspector;
    let label = typst::foundations::Label::new(typst::utils::PicoStr::intern("ksp-part"))
        .expect("a valid label");
    document.introspector().label_count(label) > 0
}

/// A laid-out document's bookmarked headings, as Typst's own outline takes them.
pub fn headings(document: &typst_layout::PagedDocument) -> Vec<Heading> {
    use typst::foundations::{NativeElement, StyleChain};
    use typst::introspection::Introspector;
    use typst::model::HeadingElem;
    let introspector = document.introspector();
    introspector
        .query(&HeadingElem::ELEM.select())
        .iter()
        .filter_map(|elem| {
            let heading = elem.to_packed::<HeadingElem>()?;
            let styles = StyleChain::default();
            let bookmarked = heading
                .bookmarked
                .get(styles)
                .unwrap_or_else(|| heading.outlined.get(styles));
            let position = introspector.position(elem.location()?)?;
            let page = position.page.get() - 1;
            let height = document.pages().get(page)?.frame.height().to_pt();
            // Typst's own outline shows a little above the heading.
            let top = (position.point.y.to_pt() - 10.0).max(0.0);
            bookmarked.then(|| Heading {
                level: heading.resolve_level(styles).get(),
                title: heading.body.plain_text().to_string(),
                page,
                x: position.point.x.to_pt() as f32,
                y: (height - top) as f32,
            })
        })
        .collect()
}
