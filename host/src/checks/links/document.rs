//! Links inside attached PDF documents. A lure that puts its link in a PDF keeps it out of the mail's
//! text, where filters look; the reader opens the PDF and clicks it all the same. Link actions
//! (`/URI (…)` or `/URI <…>`) are read where the file writes them in the open, and inside the
//! FlateDecode object streams (`/Type /ObjStm`) where most PDF writers pack their objects. Other
//! streams (page contents, images, fonts) hold no link action, since a link is an annotation
//! object, so they are not inflated: on the corpus's PDFs they are 99.5% of the inflated bytes and
//! held none. Inflating is bounded per stream and per message in output bytes and in count, so a
//! decompression bomb costs no more than a plain file of that size. Each scan is one forward pass.

use memchr::memmem;
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use super::extract::make_link;
use super::{Link, LinkSource};

/// Links taken from one document.
const MAX_LINKS_PER_DOCUMENT: usize = 50;
/// Longest PDF string read as a URI, in bytes of the file.
const MAX_STRING_BYTES: usize = 8 * 1024;
/// Where the `%PDF-` header may start: readers accept some junk before it.
const HEADER_WINDOW: usize = 1024;
/// Inflated bytes kept from one stream: object streams of real documents are a few kilobytes to a few
/// hundred; what a stream holds past this is not read.
const MAX_INFLATED_PER_STREAM: usize = 1024 * 1024;
/// First output buffer for a stream, as a multiple of its compressed size (object streams inflate
/// about 4×); it doubles up to the cap when the data needs more.
const FIRST_BUFFER_RATIO: usize = 4;
const MIN_FIRST_BUFFER: usize = 16 * 1024;
/// How far before a `stream` keyword its dictionary is read.
const MAX_DICTIONARY_BYTES: usize = 4 * 1024;

/// What reading all the PDF documents of one message may spend, so the work per message stays bounded
/// however many are attached: strings read as URIs (each reads at most `MAX_STRING_BYTES`), streams
/// inflated, and bytes inflated in all.
#[derive(Debug)]
pub struct Budget {
    attempts: usize,
    streams: usize,
    inflated_bytes: usize,
}

impl Budget {
    pub fn per_message() -> Self {
        Budget { attempts: 500, streams: 64, inflated_bytes: 4 * 1024 * 1024 }
    }
}

/// Whether the bytes are a PDF file, whatever the attachment's name or declared type says.
pub fn is_pdf(bytes: &[u8]) -> bool {
    memmem::find(&bytes[..bytes.len().min(HEADER_WINDOW)], b"%PDF-").is_some()
}

/// The links a PDF's link actions open, without repeats: first those written in the open, in file
/// order, then those inside its object streams, as far as `budget` lasts.
pub fn pdf_links(bytes: &[u8], budget: &mut Budget) -> Vec<Link> {
    let mut links: Vec<Link> = Vec::new();
    scan_link_actions(bytes, &mut budget.attempts, &mut links);
    let mut decompressor: Option<Box<DecompressorOxide>> = None;
    for data in object_streams(bytes) {
        if budget.streams == 0
            || budget.inflated_bytes == 0
            || budget.attempts == 0
            || links.len() >= MAX_LINKS_PER_DOCUMENT
        {
            break;
        }
        budget.streams -= 1;
        let decompressor = decompressor.get_or_insert_with(Box::default);
        let inflated = inflate_capped(data, budget.inflated_bytes.min(MAX_INFLATED_PER_STREAM), decompressor);
        budget.inflated_bytes -= inflated.len();
        scan_link_actions(&inflated, &mut budget.attempts, &mut links);
    }
    links
}

/// Adds to `links` the link actions written in `bytes`, in order, without repeats; each string read
/// takes one of `attempts_left`.
fn scan_link_actions(bytes: &[u8], attempts_left: &mut usize, links: &mut Vec<Link>) {
    for at in memmem::find_iter(bytes, b"/URI") {
        if *attempts_left == 0 || links.len() >= MAX_LINKS_PER_DOCUMENT {
            break;
        }
        let rest = bytes.get(at + 4..).unwrap_or_default();
        let start = rest.iter().position(|&b| !is_pdf_space(b)).unwrap_or(rest.len());
        let value = &rest[start..];
        let uri = match value {
            [b'(', body @ ..] => {
                *attempts_left -= 1;
                literal_string(body)
            }
            [b'<', next, ..] if *next != b'<' => {
                *attempts_left -= 1;
                hex_string(&value[1..])
            }
            _ => None,
        };
        let Some(link) = uri.and_then(|u| make_link(u, None, None, LinkSource::Document)) else { continue };
        if !links.iter().any(|l| l.url == link.url) {
            links.push(link);
        }
    }
}

/// The data of the object streams that need only inflating (FlateDecode alone, no predictor), in file
/// order. Each stream's data is searched for its `endstream` once, from where the last one ended, so
/// the walk is linear in the file however far it is taken.
fn object_streams(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let stream_keyword = memmem::Finder::new(b"stream");
    let end_keyword = memmem::Finder::new(b"endstream");
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            let at = pos + stream_keyword.find(bytes.get(pos..)?)?;
            let before = &bytes[pos..at];
            pos = at + b"stream".len();
            // A stream's data follows its dictionary (`>> stream`) and one end of line.
            if !trim_end_pdf_space(before).ends_with(b">>") {
                continue;
            }
            let data_start = match bytes.get(pos..) {
                Some([b'\r', b'\n', ..]) => pos + 2,
                Some([b'\n' | b'\r', ..]) => pos + 1,
                _ => continue,
            };
            let data = &bytes[data_start..];
            let data = match end_keyword.find(data) {
                Some(end) => {
                    pos = data_start + end + b"endstream".len();
                    &data[..end]
                }
                None => {
                    pos = bytes.len();
                    data
                }
            };
            if is_plain_object_stream(dictionary_before(&before[before.len().saturating_sub(MAX_DICTIONARY_BYTES)..])) {
                return Some(data);
            }
        }
    })
}

/// The dictionary text of the object a stream belongs to: what follows its last `obj` keyword.
fn dictionary_before(window: &[u8]) -> &[u8] {
    memmem::rfind(window, b"obj").map_or(window, |at| &window[at + 3..])
}

fn is_plain_object_stream(dictionary: &[u8]) -> bool {
    let flate_only = match value_of(dictionary, b"/Filter") {
        Some([b'[', array @ ..]) => {
            let array = &array[..array.iter().position(|&b| b == b']').unwrap_or(array.len())];
            trim_end_pdf_space(trim_start_pdf_space(array)) == b"/FlateDecode"
        }
        Some(value) => leading_name(value) == Some(b"FlateDecode"),
        None => false,
    };
    // A predictor of 1 is none.
    let predicted = value_of(dictionary, b"/Predictor").is_some_and(|value| leading_digits(value) != b"1");
    flate_only && !predicted && value_of(dictionary, b"/Type").and_then(leading_name) == Some(b"ObjStm")
}

/// What follows the first `key` (a whole name, not the start of a longer one) in a dictionary, after
/// white space.
fn value_of<'a>(dictionary: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    memmem::find_iter(dictionary, key).find_map(|at| {
        let rest = &dictionary[at + key.len()..];
        match rest.first() {
            Some(&b) if !is_pdf_delimiter(b) => None,
            _ => Some(trim_start_pdf_space(rest)),
        }
    })
}

/// The name a value starts with (`/FlateDecode …` → `FlateDecode`).
fn leading_name(value: &[u8]) -> Option<&[u8]> {
    let name = value.strip_prefix(b"/")?;
    Some(&name[..name.iter().position(|&b| is_pdf_delimiter(b)).unwrap_or(name.len())])
}

fn leading_digits(value: &[u8]) -> &[u8] {
    &value[..value.iter().position(|b| !b.is_ascii_digit()).unwrap_or(value.len())]
}

/// Inflates a FlateDecode stream's data (zlib, or bare deflate from writers that leave the header
/// out) into at most `cap` bytes. The buffer grows by doubling with exact reservations, so no more
/// than `cap` bytes are ever allocated however far the data would inflate. A corrupt or truncated
/// stream gives what inflated before the damage.
fn inflate_capped(data: &[u8], cap: usize, decompressor: &mut DecompressorOxide) -> Vec<u8> {
    decompressor.init();
    let zlib = matches!(data, [cmf, flg, ..] if cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0);
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | inflate_flags::TINFL_FLAG_IGNORE_ADLER32
        | if zlib { inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER } else { 0 };
    let mut out: Vec<u8> = Vec::new();
    let mut size = data.len().saturating_mul(FIRST_BUFFER_RATIO).max(MIN_FIRST_BUFFER).min(cap);
    let mut input = data;
    let mut written = 0;
    loop {
        out.reserve_exact(size - out.len());
        out.resize(size, 0);
        let (status, read, wrote) = decompress(decompressor, input, &mut out, written, flags);
        written += wrote;
        input = input.get(read..).unwrap_or_default();
        if status != TINFLStatus::HasMoreOutput || size >= cap {
            break;
        }
        size = size.saturating_mul(2).min(cap);
    }
    out.truncate(written);
    out
}

fn trim_start_pdf_space(bytes: &[u8]) -> &[u8] {
    &bytes[bytes.iter().position(|&b| !is_pdf_space(b)).unwrap_or(bytes.len())..]
}

fn trim_end_pdf_space(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.iter().rposition(|&b| !is_pdf_space(b)).map_or(0, |at| at + 1)]
}

fn is_pdf_delimiter(b: u8) -> bool {
    is_pdf_space(b) || matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_pdf_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// A PDF literal string after its `(`: balanced parentheses, backslash escapes (`\)`, `\\`, `\ddd`
/// octal, `\n`…). `None` when it does not close within `MAX_STRING_BYTES`.
fn literal_string(body: &[u8]) -> Option<String> {
    let body = &body[..body.len().min(MAX_STRING_BYTES)];
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        i += 1;
        match b {
            b'\\' => {
                let &e = body.get(i)?;
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'0'..=b'7' => {
                        let mut value = u32::from(e - b'0');
                        for _ in 0..2 {
                            match body.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((value & 0xff) as u8);
                    }
                    // A backslash before a line break continues the string on the next line.
                    b'\r' => {
                        if body.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => return Some(decode_text(&out)),
            b')' => {
                depth -= 1;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    None
}

/// A PDF hex string after its `<`: hex digit pairs up to `>`, white space ignored, an odd last digit
/// padded with 0. `None` on any other character or when it does not close within `MAX_STRING_BYTES`.
fn hex_string(body: &[u8]) -> Option<String> {
    let body = &body[..body.len().min(MAX_STRING_BYTES)];
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    for &b in body {
        let digit = match b {
            b'>' => {
                out.extend(high.map(|h| h << 4));
                return Some(decode_text(&out));
            }
            _ if is_pdf_space(b) => continue,
            _ => (b as char).to_digit(16)? as u8,
        };
        match high.take() {
            Some(h) => out.push(h << 4 | digit),
            None => high = Some(digit),
        }
    }
    None
}

/// URIs are ASCII by the standard; a UTF-16 string (byte-order mark FE FF) is read as such, anything
/// else as UTF-8 with bad bytes replaced.
fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xfe, 0xff, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(pdf: &[u8]) -> Vec<String> {
        pdf_links(pdf, &mut Budget::per_message()).into_iter().map(|l| l.url).collect()
    }

    fn attempts(attempts: usize) -> Budget {
        Budget { attempts, ..Budget::per_message() }
    }

    #[test]
    fn link_actions_written_as_literal_or_hex_strings() {
        let pdf =
            b"%PDF-1.4\n1 0 obj <</Type/Annot/Subtype/Link/A <</S/URI/URI(https://login.example.net/a\\(1\\))>> >>\n\
2 0 obj <</A <</S /URI /URI <68747470733A2F2F782E6578616D706C652E6F7267>>> >>\n\
3 0 obj <</A <</S/URI/URI (https\\072\\057\\057pay.example.site\\057\\077id\\0751)>> >>\n\
4 0 obj <</A <</S/URI/URI(https://login.example.net/a\\(1\\))>> >>\n%%EOF";
        assert_eq!(
            urls(pdf),
            ["https://login.example.net/a(1)", "https://x.example.org", "https://pay.example.site/?id=1"]
        );
        assert!(pdf_links(pdf, &mut attempts(10)).iter().all(|l| l.source == LinkSource::Document));
        // The attempts are shared: a spent budget reads nothing more.
        assert!(pdf_links(pdf, &mut attempts(0)).is_empty());
        assert_eq!(pdf_links(pdf, &mut attempts(1)).len(), 1);
    }

    #[test]
    fn not_links_and_unterminated_strings_are_skipped() {
        // A relative or mail link is no link out; an unclosed string or a dictionary is not a URI.
        assert!(
            urls(b"%PDF-1.7 /URI (mailto:a@example.org) /URI (#page=2) /URI <</X 1>> /URI (https://a.example")
                .is_empty()
        );
        assert!(urls(b"%PDF-1.7 /URI <6874zz>").is_empty());
        // UTF-16 with a byte-order mark.
        assert_eq!(
            urls(b"%PDF-1.7 /URI <FEFF0068007400740070003A002F002F0061002E00650078002E0063006F006D>"),
            ["http://a.ex.com"]
        );
    }

    #[test]
    fn the_scan_is_bounded_on_hostile_input() {
        // Many unterminated strings: each attempt reads a bounded window, attempts are capped.
        let mut pdf = b"%PDF-1.4\n".to_vec();
        pdf.extend(b"/URI (".repeat(200_000));
        let mut budget = Budget::per_message();
        assert!(pdf_links(&pdf, &mut budget).is_empty());
        assert_eq!(budget.attempts, 0, "reading stops when the message's attempts are spent");
        let many: Vec<u8> = (0..500).flat_map(|i| format!("/URI (https://h{i}.example.org/)").into_bytes()).collect();
        assert_eq!(urls(&many).len(), MAX_LINKS_PER_DOCUMENT);
    }

    /// A PDF whose objects are streams with the given dictionary entries and data.
    fn pdf_with_streams(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.5\n".to_vec();
        for (number, (entries, data)) in streams.iter().enumerate() {
            pdf.extend(format!("{} 0 obj\n<<{entries} /Length {}>>\nstream\r\n", number + 1, data.len()).bytes());
            pdf.extend(data);
            pdf.extend(b"\r\nendstream\nendobj\n");
        }
        pdf.extend(b"trailer <</Root 1 0 R>>\n%%EOF\n");
        pdf
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
    }

    /// What a writer puts in an object stream: object numbers and offsets, then the objects.
    const ANNOTATION_OBJECTS: &[u8] = b"4 0 5 62 <</Type/Annot/Subtype/Link/Rect[100 600 500 650]/A 5 0 R>> \
<</S/URI/URI(https://login.example.net/compressed)>>";

    #[test]
    fn link_inside_a_compressed_object_stream() {
        let pdf = pdf_with_streams(&[("/Type /ObjStm /N 2 /First 9 /Filter /FlateDecode", zlib(ANNOTATION_OBJECTS))]);
        assert!(memmem::find(&pdf, b"/URI").is_none(), "the link is only inside the compressed stream");
        assert_eq!(urls(&pdf), ["https://login.example.net/compressed"]);
        // One filter in an array, no space after names, and bare deflate without the zlib header.
        let bare = miniz_oxide::deflate::compress_to_vec(ANNOTATION_OBJECTS, 6);
        for (entries, data) in [
            ("/Type/ObjStm/Filter[ /FlateDecode ]", zlib(ANNOTATION_OBJECTS)),
            ("/Filter/FlateDecode/Type/ObjStm", zlib(ANNOTATION_OBJECTS)),
            ("/Type /ObjStm /Filter /FlateDecode", bare),
        ] {
            assert_eq!(
                urls(&pdf_with_streams(&[(entries, data)])),
                ["https://login.example.net/compressed"],
                "{entries}"
            );
        }
    }

    #[test]
    fn only_object_streams_that_need_only_inflating_are_inflated() {
        for entries in [
            "/Type /ObjStm /Filter /LZWDecode",
            "/Type /ObjStm",
            "/Type /ObjStm /Filter [/FlateDecode /ASCII85Decode]",
            "/Type /ObjStm /Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns 5>>",
            "/Type /ObjStmX /Filter /FlateDecode",
            // Page contents, images, fonts and cross-reference streams hold no annotation objects.
            "/Filter /FlateDecode",
            "/Type /XRef /Filter /FlateDecode",
            "/Type /XObject /Subtype /Image /Filter /FlateDecode",
        ] {
            let pdf = pdf_with_streams(&[(entries, zlib(ANNOTATION_OBJECTS))]);
            let mut budget = Budget::per_message();
            assert!(pdf_links(&pdf, &mut budget).is_empty(), "{entries}");
            assert_eq!(budget.streams, Budget::per_message().streams, "{entries}: nothing inflated");
        }
        // A predictor of 1 is no prediction; `/Type1C` as a value is not the `/Type` key.
        for entries in [
            "/Type /ObjStm /Filter /FlateDecode /DecodeParms <</Predictor 1>>",
            "/Subtype/Type1C/Type/ObjStm/Filter/FlateDecode",
        ] {
            assert_eq!(urls(&pdf_with_streams(&[(entries, zlib(ANNOTATION_OBJECTS))])).len(), 1, "{entries}");
        }
    }

    #[test]
    fn a_decompression_bomb_inflates_only_up_to_the_caps() {
        // 3 MB of zeros then a link: about 3 kB compressed, past the 1 MB a stream may inflate to.
        let mut plain = vec![0u8; 3 * MAX_INFLATED_PER_STREAM];
        plain.extend(b"/URI (https://after-the-cap.example.org/)");
        let bomb = zlib(&plain);
        assert!(bomb.len() < 8 * 1024, "{}", bomb.len());
        let inflated = inflate_capped(&bomb, MAX_INFLATED_PER_STREAM, &mut DecompressorOxide::new());
        assert_eq!(inflated.len(), MAX_INFLATED_PER_STREAM);
        assert!(inflated.capacity() <= MAX_INFLATED_PER_STREAM, "allocated {}", inflated.capacity());
        // A cap that is not a doubling of the first buffer is not overshot by amortized growth either.
        for cap in [1000, 1_500_000] {
            let inflated = inflate_capped(&bomb, cap, &mut DecompressorOxide::new());
            assert_eq!((inflated.len(), inflated.capacity()), (cap, cap));
        }

        // Ten bombs in one message: four are read to the stream cap, then the message's bytes are spent and
        // the link in the last stream is not reached.
        let mut streams = vec![("/Type /ObjStm /Filter /FlateDecode", bomb); 10];
        streams.push(("/Type /ObjStm /Filter /FlateDecode", zlib(ANNOTATION_OBJECTS)));
        let mut budget = Budget::per_message();
        assert!(pdf_links(&pdf_with_streams(&streams), &mut budget).is_empty());
        assert_eq!(budget.inflated_bytes, 0);
        assert_eq!(budget.streams, Budget::per_message().streams - 4);
    }

    #[test]
    fn the_number_of_streams_inflated_per_message_is_capped() {
        let many = vec![("/Type /ObjStm /Filter /FlateDecode", zlib(b"1 0 <</Type/Page>>")); 200];
        let mut budget = Budget::per_message();
        assert!(pdf_links(&pdf_with_streams(&many), &mut budget).is_empty());
        assert_eq!(budget.streams, 0);
        // Spent on one document, the budget inflates nothing in the next.
        let pdf = pdf_with_streams(&[("/Type /ObjStm /Filter /FlateDecode", zlib(ANNOTATION_OBJECTS))]);
        assert!(pdf_links(&pdf, &mut budget).is_empty());
    }

    #[test]
    fn corrupt_and_truncated_streams_give_what_inflated_before_the_damage() {
        let mut plain = ANNOTATION_OBJECTS.to_vec();
        plain.extend((0..4000u32).flat_map(|i| format!("{i} 0 obj <</Type/Page/Parent 2 0 R>> ").into_bytes()));
        let compressed = zlib(&plain);
        // Cut in the middle, as in a file truncated in transit: the start still inflates.
        let truncated = compressed[..compressed.len() / 2].to_vec();
        // Garbage from the middle on.
        let mut damaged = compressed.clone();
        let middle = damaged.len() / 2;
        damaged[middle..].iter_mut().for_each(|b| *b = 0xff);
        for data in [truncated, damaged] {
            let pdf = pdf_with_streams(&[("/Type /ObjStm /Filter /FlateDecode", data)]);
            assert_eq!(urls(&pdf), ["https://login.example.net/compressed"]);
        }
        // Not deflate at all, an empty stream, a file that ends inside a stream or right after `stream`.
        let mut unterminated = b"%PDF-1.5\n1 0 obj <</Type/ObjStm/Filter/FlateDecode>> stream\n".to_vec();
        unterminated.extend(&compressed[..200]);
        for pdf in [
            pdf_with_streams(&[("/Type /ObjStm /Filter /FlateDecode", b"not deflate data at all".to_vec())]),
            pdf_with_streams(&[("/Type /ObjStm /Filter /FlateDecode", Vec::new())]),
            unterminated,
            b"%PDF-1.5 <</Type/ObjStm/Filter/FlateDecode>> stream".to_vec(),
            b"%PDF-1.5 stream\nendstream stream\r".to_vec(),
        ] {
            let mut budget = Budget::per_message();
            let links = pdf_links(&pdf, &mut budget);
            assert!(links.len() <= 1 && budget.inflated_bytes <= Budget::per_message().inflated_bytes);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_stream_data_is_read_within_the_budget(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            let pdf = pdf_with_streams(&[("/Type /ObjStm /Filter /FlateDecode", data.clone()), ("/Type /ObjStm /Filter /FlateDecode", data)]);
            let mut budget = Budget::per_message();
            let _ = pdf_links(&pdf, &mut budget);
            proptest::prop_assert!(budget.streams >= Budget::per_message().streams - 2);
        }
    }

    #[test]
    fn pdf_recognised_by_its_header() {
        assert!(is_pdf(b"%PDF-1.7\n..."));
        assert!(is_pdf(b"\r\n\r\n%PDF-1.4"));
        let mut late = vec![b'x'; HEADER_WINDOW];
        late.extend(b"%PDF-1.4");
        assert!(!is_pdf(&late));
        assert!(!is_pdf(b"GIF89a"));
    }
}
