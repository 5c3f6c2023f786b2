//! Joins the PDFs of a document laid out in parts (a large season's award summary, see
//! `report.summary_rows_per_part`) into one tagged PDF: every part's pages in order under one
//! page tree, their structure trees under one `Document` element, and one outline of every
//! part's headings, nested by level across parts.
//!
//! Typst cannot join documents: each part is a PDF/UA-1 file of its own, and joining keeps
//! what makes it one. A part's structure-parent keys are moved past the previous parts', and
//! its structure element ids (table header cells that data cells name) get the part's prefix,
//! so nothing of one part points into another.
//!
//! The join streams: a part's objects are renumbered past those written and written at once,
//! in compressed object streams, so memory holds one part's objects and the joined bytes,
//! never every part's objects (a 171-page summary held them at 400 MB).

use std::collections::{BTreeSet, HashMap};

use lopdf::{Dictionary, Document, Object, ObjectId, ObjectStream, Stream, StringFormat};

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
    #[error("the joined PDF would be larger than 4 GB")]
    TooLarge,
}

/// Objects per compressed object stream, as lopdf writes them.
const PER_STREAM: usize = 100;

/// Where a written object is, for the cross-reference stream.
#[derive(Clone, Copy)]
enum Place {
    /// At this byte offset of the file.
    Offset(usize),
    /// Member `index` of the object stream numbered `stream`.
    Member { stream: u32, index: u16 },
}

/// The first part's objects that the joined document has one of, kept (renumbered) until the
/// end, when every part's pages, structure and headings are known.
struct Head {
    catalog: (ObjectId, Dictionary),
    pages_root: (ObjectId, Dictionary),
    struct_root: (ObjectId, Dictionary),
    document_element: (ObjectId, Dictionary),
    trailer: Dictionary,
}

/// A PDF being joined from parts, one [`Joiner::add`] at a time.
pub struct Joiner {
    out: Vec<u8>,
    /// Where object `n` is, at index `n - 1`.
    places: Vec<Option<Place>>,
    /// Objects waiting for their object stream, by their new number.
    pending: Vec<(ObjectId, Object)>,
    head: Option<Head>,
    pages: Vec<ObjectId>,
    /// Every part's structure so far, renumbered.
    structure: Structure,
    headings: Vec<(usize, String, ObjectId, f32, f32)>,
    parts: usize,
}

/// A part's skeleton: the objects the joined document has one of.
struct Skeleton {
    catalog: ObjectId,
    pages_root: ObjectId,
    struct_root: ObjectId,
    document_element: ObjectId,
    pages: Vec<ObjectId>,
}

impl Skeleton {
    fn ids(&self) -> [ObjectId; 4] {
        [
            self.catalog,
            self.pages_root,
            self.struct_root,
            self.document_element,
        ]
    }
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

/// The structure tree's parts that are joined: the document element's kids, its parent tree,
/// ids and role map.
#[derive(Default)]
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

impl Structure {
    /// A part's structure, rewritten by `relink`, after the parts' before it.
    fn append(&mut self, part: Structure, relink: &Relink) {
        self.kids
            .extend(part.kids.into_iter().map(|k| relink.owned(k)));
        self.parent_tree.extend(
            part.parent_tree
                .into_iter()
                .map(|(key, value)| (key + relink.offset, relink.owned(value))),
        );
        self.next_key += part.next_key;
        for (mut key, value) in part.ids {
            relink.id(&mut key);
            self.ids.push((key, relink.owned(value)));
        }
        for (role, standard) in part.role_map {
            self.role_map.set(role, standard);
        }
    }

    /// The kids into the document element; the parent tree, id tree and role map into the
    /// structure root.
    fn write_into(mut self, element: &mut Dictionary, root: &mut Dictionary) {
        element.set("K", self.kids);
        self.parent_tree.sort_by_key(|(key, _)| *key);
        let nums: Vec<Object> = self
            .parent_tree
            .into_iter()
            .flat_map(|(key, value)| [Object::Integer(key), value])
            .collect();
        root.set(
            "ParentTree",
            Dictionary::from_iter([("Nums", Object::Array(nums))]),
        );
        root.set("ParentTreeNextKey", self.next_key);
        self.ids.sort_by(|a, b| a.0.cmp(&b.0));
        if self.ids.is_empty() {
            root.remove(b"IDTree");
        } else {
            let names: Vec<Object> = self
                .ids
                .into_iter()
                .flat_map(|(key, value)| [Object::String(key, StringFormat::Literal), value])
                .collect();
            root.set(
                "IDTree",
                Dictionary::from_iter([("Names", Object::Array(names))]),
            );
        }
        if self.role_map.is_empty() {
            root.remove(b"RoleMap");
        } else {
            root.set("RoleMap", self.role_map);
        }
    }
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

/// Every object number `object` refers to directly.
fn references(object: &Object, found: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(id) => found.push(*id),
        Object::Array(items) => items.iter().for_each(|item| references(item, found)),
        Object::Dictionary(dict) => dict.iter().for_each(|(_, v)| references(v, found)),
        Object::Stream(stream) => stream.dict.iter().for_each(|(_, v)| references(v, found)),
        _ => {}
    }
}

/// The values of `dict` but those under `skip`.
fn values_but<'a>(dict: &'a Dictionary, skip: &[&[u8]]) -> impl Iterator<Item = &'a Object> {
    dict.iter()
        .filter(move |(k, _)| !skip.contains(&k.as_slice()))
        .map(|(_, v)| v)
}

/// The objects of a part the joined document keeps: whatever its pages and structure reach,
/// and for the first part what its catalog, structure root and trailer reach too (metadata,
/// language, info). Each part's catalog, outline and structure trees are made anew.
fn kept(
    doc: &Document,
    skeleton: &Skeleton,
    structure: &Structure,
    first: bool,
) -> Result<BTreeSet<ObjectId>, JoinError> {
    let mut roots: Vec<ObjectId> = skeleton.pages.clone();
    let mut scan = |object: &Object| references(object, &mut roots);
    structure.kids.iter().for_each(&mut scan);
    structure.parent_tree.iter().for_each(|(_, v)| scan(v));
    structure.ids.iter().for_each(|(_, v)| scan(v));
    if first {
        let catalog = doc.get_dictionary(skeleton.catalog)?;
        values_but(catalog, &[b"Pages", b"StructTreeRoot", b"Outlines"]).for_each(&mut scan);
        let root = doc.get_dictionary(skeleton.struct_root)?;
        values_but(root, &[b"K", b"ParentTree", b"IDTree", b"RoleMap"]).for_each(&mut scan);
        values_but(&doc.trailer, &[b"Root", b"Size", b"Prev"]).for_each(&mut scan);
    }
    let skip = skeleton.ids();
    let mut kept = BTreeSet::new();
    let mut found = Vec::new();
    while let Some(id) = roots.pop() {
        if skip.contains(&id) || !kept.insert(id) {
            continue;
        }
        if let Ok(object) = doc.get_object(id) {
            references(object, &mut found);
            roots.append(&mut found);
        } else {
            kept.remove(&id);
        }
    }
    Ok(kept)
}

/// How a part's objects are rewritten for the joined document: new numbers, structure-parent
/// keys moved by `offset`, structure element ids given `prefix`. A reference to an object
/// the join drops becomes null.
struct Relink {
    numbers: HashMap<ObjectId, ObjectId>,
    offset: i64,
    prefix: Vec<u8>,
}

impl Relink {
    fn object(&self, object: &mut Object) {
        match object {
            Object::Reference(id) => match self.numbers.get(id) {
                Some(to) => *id = *to,
                None => *object = Object::Null,
            },
            Object::Array(items) => items.iter_mut().for_each(|item| self.object(item)),
            Object::Dictionary(dict) => self.dict(dict),
            Object::Stream(stream) => self.dict(&mut stream.dict),
            _ => {}
        }
    }

    fn dict(&self, dict: &mut Dictionary) {
        for (key, value) in dict.iter_mut() {
            match (key.as_slice(), &mut *value) {
                (b"StructParents" | b"StructParent", Object::Integer(k)) => *k += self.offset,
                (b"ID", Object::String(id, _)) => self.id(id),
                (b"Headers", Object::Array(ids)) => {
                    for id in ids {
                        if let Object::String(id, _) = id {
                            self.id(id);
                        }
                    }
                }
                _ => self.object(value),
            }
        }
    }

    fn id(&self, id: &mut Vec<u8>) {
        if !self.prefix.is_empty() {
            *id = [self.prefix.as_slice(), id].concat();
        }
    }

    fn owned(&self, mut object: Object) -> Object {
        self.object(&mut object);
        object
    }
}

/// A PDF with no parts yet.
impl Default for Joiner {
    fn default() -> Joiner {
        Joiner {
            out: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec(),
            places: Vec::new(),
            pending: Vec::new(),
            head: None,
            pages: Vec::new(),
            structure: Structure::default(),
            headings: Vec::new(),
            parts: 0,
        }
    }
}

impl Joiner {
    /// A new object number.
    fn number(&mut self) -> ObjectId {
        self.places.push(None);
        (self.places.len() as u32, 0)
    }

    /// Adds the next part: its objects are written, its structure and headings kept.
    pub fn add(&mut self, part: &Part) -> Result<(), JoinError> {
        let mut doc = Document::load_mem(&part.pdf)?;
        let skeleton = skeleton(&doc)?;
        let structure = structure(&doc, &skeleton)?;
        let first = self.head.is_none();
        let kept = kept(&doc, &skeleton, &structure, first)?;
        let mut numbers = HashMap::with_capacity(kept.len() + 4);
        match &self.head {
            None => {
                for id in skeleton.ids() {
                    numbers.insert(id, self.number());
                }
            }
            Some(head) => {
                numbers.insert(skeleton.pages_root, head.pages_root.0);
                numbers.insert(skeleton.document_element, head.document_element.0);
            }
        }
        for &id in &kept {
            numbers.insert(id, self.number());
        }
        let relink = Relink {
            numbers,
            offset: self.structure.next_key,
            prefix: if first {
                Vec::new()
            } else {
                format!("part{}-", self.parts).into_bytes()
            },
        };
        if first {
            self.head = Some(head(&mut doc, &skeleton, &relink)?);
        }
        for id in kept {
            let object = doc.objects.remove(&id).expect("a kept object exists");
            self.write(relink.numbers[&id], relink.owned(object))?;
        }
        self.pages
            .extend(skeleton.pages.iter().map(|id| relink.numbers[id]));
        self.headings.extend(part.headings.iter().filter_map(|h| {
            let page = relink.numbers[skeleton.pages.get(h.page)?];
            Some((h.level, h.title.clone(), page, h.x, h.y))
        }));
        self.structure.append(structure, &relink);
        self.parts += 1;
        Ok(())
    }

    /// Writes a stream at once; other objects go into the next object stream.
    fn write(&mut self, id: ObjectId, object: Object) -> Result<(), JoinError> {
        match object {
            Object::Stream(stream) => self.write_indirect(id, &Object::Stream(stream)),
            object => {
                self.pending.push((id, object));
                if self.pending.len() == PER_STREAM {
                    self.flush()?;
                }
                Ok(())
            }
        }
    }

    fn write_indirect(&mut self, id: ObjectId, object: &Object) -> Result<(), JoinError> {
        self.places[id.0 as usize - 1] = Some(Place::Offset(self.out.len()));
        self.out
            .extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        lopdf::Writer::write_object(&mut self.out, object)?;
        self.out.extend_from_slice(b"\nendobj\n");
        Ok(())
    }

    /// The waiting objects as one compressed object stream.
    fn flush(&mut self) -> Result<(), JoinError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let stream_id = self.number();
        let mut stream = ObjectStream::builder().max_objects(PER_STREAM).build();
        let mut pending = std::mem::take(&mut self.pending);
        // lopdf writes a stream's members in the order of their numbers.
        pending.sort_by_key(|(id, _)| *id);
        for (index, (id, object)) in pending.into_iter().enumerate() {
            self.places[id.0 as usize - 1] = Some(Place::Member {
                stream: stream_id.0,
                index: index as u16,
            });
            stream.add_object(id, object)?;
        }
        self.write_indirect(stream_id, &Object::Stream(stream.to_stream_object()?))
    }

    /// Writes the joined page tree, structure tree, outline and catalog, and the
    /// cross-reference stream.
    pub fn finish(mut self) -> Result<Vec<u8>, JoinError> {
        let head = self.head.take().ok_or(JoinError::Shape("parts"))?;
        let (pages_id, mut pages_root) = head.pages_root;
        let pages: Vec<Object> = self.pages.iter().map(|&id| id.into()).collect();
        pages_root.set("Count", pages.len() as i64);
        pages_root.set("Kids", pages);
        let (element_id, mut element) = head.document_element;
        let (root_id, mut root) = head.struct_root;
        std::mem::take(&mut self.structure).write_into(&mut element, &mut root);
        let (catalog_id, mut catalog) = head.catalog;
        match self.outline()? {
            Some(id) => catalog.set("Outlines", id),
            None => {
                catalog.remove(b"Outlines");
            }
        }
        for (id, dict) in [
            (pages_id, pages_root),
            (element_id, element),
            (root_id, root),
            (catalog_id, catalog),
        ] {
            self.write(id, dict.into())?;
        }
        self.flush()?;
        self.cross_references(head.trailer, catalog_id)?;
        Ok(self.out)
    }

    /// Writes the outline of every part's headings; its root, if there are headings.
    fn outline(&mut self) -> Result<Option<ObjectId>, JoinError> {
        let headings = std::mem::take(&mut self.headings);
        let Some((root, objects)) = outline(&headings, || self.number()) else {
            return Ok(None);
        };
        for (id, dict) in objects {
            self.write(id, dict.into())?;
        }
        Ok(Some(root))
    }

    /// The cross-reference stream (the trailer of the first part, pointed at the new
    /// catalog), then the file's end.
    fn cross_references(
        &mut self,
        mut trailer: Dictionary,
        catalog: ObjectId,
    ) -> Result<(), JoinError> {
        let xref_id = self.number();
        let at = self.out.len();
        self.places[xref_id.0 as usize - 1] = Some(Place::Offset(at));
        let mut rows = Vec::with_capacity((self.places.len() + 1) * 7);
        rows.extend_from_slice(&[0, 0, 0, 0, 0, 0xFF, 0xFF]);
        for place in &self.places {
            match place.expect("every numbered object is written") {
                Place::Offset(offset) => {
                    let offset = u32::try_from(offset).map_err(|_| JoinError::TooLarge)?;
                    rows.push(1);
                    rows.extend_from_slice(&offset.to_be_bytes());
                    rows.extend_from_slice(&[0, 0]);
                }
                Place::Member { stream, index } => {
                    rows.push(2);
                    rows.extend_from_slice(&stream.to_be_bytes());
                    rows.extend_from_slice(&index.to_be_bytes());
                }
            }
        }
        trailer.remove(b"Prev");
        trailer.set("Root", catalog);
        trailer.set("Type", "XRef");
        trailer.set("Size", self.places.len() as i64 + 1);
        trailer.set(
            "W",
            vec![Object::Integer(1), Object::Integer(4), Object::Integer(2)],
        );
        let mut stream = Stream::new(trailer, rows);
        stream.compress()?;
        self.write_indirect(xref_id, &Object::Stream(stream))?;
        self.out
            .extend_from_slice(format!("startxref\n{at}\n%%EOF\n").as_bytes());
        Ok(())
    }
}

/// The first part's catalog, page tree root, structure root, document element and trailer,
/// renumbered, taken out of its objects.
fn head(doc: &mut Document, skeleton: &Skeleton, relink: &Relink) -> Result<Head, JoinError> {
    let mut trailer = doc.trailer.clone();
    for key in [
        &b"Root"[..],
        b"Size",
        b"Prev",
        b"Type",
        b"W",
        b"Index",
        b"Length",
        b"Filter",
        b"DecodeParms",
    ] {
        trailer.remove(key);
    }
    relink.dict(&mut trailer);
    let mut take = |id: ObjectId| -> Result<(ObjectId, Dictionary), JoinError> {
        let object = doc
            .objects
            .remove(&id)
            .ok_or(JoinError::Shape("skeleton"))?;
        match relink.owned(object) {
            Object::Dictionary(dict) => Ok((relink.numbers[&id], dict)),
            _ => Err(JoinError::Shape("skeleton dictionaries")),
        }
    };
    Ok(Head {
        catalog: take(skeleton.catalog)?,
        pages_root: take(skeleton.pages_root)?,
        struct_root: take(skeleton.struct_root)?,
        document_element: take(skeleton.document_element)?,
        trailer,
    })
}

/// An outline item while the tree is built.
struct Item {
    parent: Option<usize>,
    children: Vec<usize>,
}

/// The outline of every heading, each under the last heading before it of a lower level (as
/// Typst nests them), every item closed: its root's number and every object of it, numbered
/// by `number`; `None` without headings.
fn outline(
    headings: &[(usize, String, ObjectId, f32, f32)],
    mut number: impl FnMut() -> ObjectId,
) -> Option<(ObjectId, Vec<(ObjectId, Dictionary)>)> {
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
    let root = number();
    let ids: Vec<ObjectId> = items.iter().map(|_| number()).collect();
    let mut objects = Vec::with_capacity(items.len() + 1);
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
        objects.push((ids[i], dict));
    }
    let outlines = Dictionary::from_iter([
        ("Type", Object::from("Outlines")),
        ("First", ids[top[0]].into()),
        ("Last", ids[*top.last().expect("a first item")].into()),
        ("Count", (top.len() as i64).into()),
    ]);
    objects.push((root, outlines));
    Some((root, objects))
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

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use lopdf::Document;

    use super::super::{Fonts, Job, Renderer, TemplateFolder};

    /// A document laid out in parts as the award summary is: each part marks itself, starts
    /// its page numbers where the last part ended, has a heading and a table of `rows` rows.
    const TEMPLATE: &str = r#"
#set document(title: "Joined")
#set text(lang: "en")
#set page(height: 12cm, footer: context [Page #counter(page).display()])
#let part = int(sys.inputs.at("part", default: "0"))
#let rows = json(sys.inputs.data).rows
#metadata(part) <ksp-part>
#counter(page).update(int(sys.inputs.at("first-page", default: "1")))
= Part #part
#table(columns: 2, table.header[Row][Value], ..range(rows).map(r => ([#r], [#(r * part)])).flatten())
"#;

    fn joined(rows: usize, parts: usize) -> Vec<u8> {
        let folder = TemplateFolder {
            dir: None,
            files: vec![("parts.typ".into(), Cow::Borrowed(TEMPLATE.as_bytes()))],
            escaping: Vec::new(),
        };
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let renderer = Renderer::new(&folder, Arc::new(Fonts::load(&[])), date).unwrap();
        let job = Job {
            template: "parts.typ".into(),
            subject: "joined".into(),
            output: "joined.pdf".into(),
            parts,
            data: format!("{{\"rows\": {rows}}}").into_bytes(),
        };
        renderer.render(&job).unwrap()
    }

    /// The outline's titles and the page each leads to, in order.
    fn outline(doc: &Document) -> Vec<(String, usize)> {
        let pages: Vec<_> = doc.get_pages().into_values().collect();
        let catalog = doc.catalog().unwrap();
        let outlines = doc
            .get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap())
            .unwrap();
        let mut item = outlines
            .get(b"First")
            .ok()
            .and_then(|o| o.as_reference().ok());
        let mut found = Vec::new();
        while let Some(id) = item {
            let dict = doc.get_dictionary(id).unwrap();
            let title = lopdf::decode_text_string(dict.get(b"Title").unwrap()).unwrap();
            let dest = dict.get(b"Dest").unwrap().as_array().unwrap();
            let page = dest[0].as_reference().unwrap();
            found.push((title, pages.iter().position(|&p| p == page).unwrap()));
            item = dict.get(b"Next").ok().and_then(|o| o.as_reference().ok());
        }
        found
    }

    /// Checks one joined document: one page tree and one structure tree over every part,
    /// each page's structure-parent key its own, the outline in part order, page numbers
    /// printed from 1 without a gap, and qpdf (where installed) finds nothing wrong.
    fn check(rows: usize, parts: usize) {
        let pdf = joined(rows, parts);
        let doc = Document::load_mem(&pdf).unwrap();
        let catalog = doc.catalog().unwrap();
        let pages = doc.get_pages();
        assert!(pages.len() >= parts, "{rows} rows: {} pages", pages.len());

        let tree = doc
            .get_dictionary(
                catalog
                    .get(b"StructTreeRoot")
                    .unwrap()
                    .as_reference()
                    .unwrap(),
            )
            .unwrap();
        let top = tree.get(b"K").unwrap();
        let document = match top {
            lopdf::Object::Array(kids) => {
                assert_eq!(kids.len(), 1, "one Document element");
                kids[0].as_reference().unwrap()
            }
            other => other.as_reference().unwrap(),
        };
        let element = doc.get_dictionary(document).unwrap();
        assert_eq!(element.get(b"S").unwrap().as_name().unwrap(), b"Document");
        let mut keys: Vec<i64> = pages
            .values()
            .map(|&p| {
                doc.get_dictionary(p)
                    .unwrap()
                    .get(b"StructParents")
                    .unwrap()
                    .as_i64()
                    .unwrap()
            })
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(
            keys.len(),
            n,
            "every page has a structure-parent key of its own"
        );

        let titles = outline(&doc);
        let expected: Vec<String> = (0..parts).map(|k| format!("Part {k}")).collect();
        assert_eq!(
            titles.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
            expected
        );
        assert!(titles.windows(2).all(|w| w[0].1 < w[1].1), "{titles:?}");
        assert_eq!(titles[0].1, 0);

        for (k, &page) in pages.keys().enumerate() {
            let text = doc.extract_text(&[page]).unwrap();
            assert!(
                text.contains(&format!("Page {}", k + 1)),
                "page {}: {text}",
                k + 1
            );
        }
        qpdf_check(&pdf);
    }

    /// `qpdf --check` on the PDF: skipped where qpdf is not installed, but CI must have it.
    fn qpdf_check(pdf: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("joined.pdf");
        std::fs::write(&path, pdf).unwrap();
        match std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
        {
            Ok(o) => assert!(
                o.status.success(),
                "qpdf --check: {}",
                String::from_utf8_lossy(&o.stdout)
            ),
            Err(_) if std::env::var_os("CI").is_some() => panic!("qpdf is missing: install qpdf"),
            Err(_) => eprintln!("skipping the qpdf check: qpdf is not installed"),
        }
    }

    #[test]
    fn parts_of_one_row_join_into_one_tagged_pdf() {
        check(1, 3);
    }

    #[test]
    fn parts_of_twenty_rows_join_into_one_tagged_pdf() {
        check(20, 3);
    }

    #[test]
    fn parts_of_four_hundred_rows_join_into_one_tagged_pdf() {
        check(400, 2);
    }
}
