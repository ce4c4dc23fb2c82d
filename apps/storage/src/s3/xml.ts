/**
 * S3's XML documents (API version 2006-03-01): writers for the response bodies the storage service sends, and strict
 * parsers for the three request bodies it reads (CompleteMultipartUpload, CreateBucketConfiguration, DeleteObjects).
 *
 * Writers are pure functions returning a whole document: `<?xml version="1.0" encoding="UTF-8"?>`, a newline, then
 * the root element, with no other whitespace. Element order follows the examples of the S3 API reference. Text is
 * escaped by `escapeXml`; ETags are written as given (the caller passes them quoted, `"9b2c..."`), so their quotes
 * come out as `&quot;`, which is what S3 itself sends.
 *
 * Parsers refuse, with `MalformedXML`, anything that is not exactly the documented shape; a body over the size cap
 * with `MaxMessageLengthExceeded` (checked before any parsing); and any DOCTYPE or entity declaration (no XXE, no
 * entity expansion: only the five predefined entities and character references are decoded, by this file).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { S3Error } from './errors.js';
import { MAX_PART_NUMBER } from './range.js';

export const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

// ---------------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------------

/** Characters XML 1.0 cannot carry literally in text (controls other than tab and newline, U+FFFE, U+FFFF). */
// eslint-disable-next-line no-control-regex -- these control characters are what must be escaped
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const NAMED: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Escapes text for an element's content or an attribute value. The five markup characters become the predefined
 * entities; carriage return and the control characters become hexadecimal character references (`&#xD;`), as S3
 * writes them (a carriage return written raw would turn into a newline in the reader). Clients that cannot read
 * such references ask for `encoding-type=url`.
 */
export function escapeXml(text: string): string {
  return text.replace(NEEDS_ESCAPE, (c) => NAMED[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/** `<name>escaped text</name>`. */
function leaf(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>children</name>`; the children are already-written elements. */
function node(name: string, children: readonly string[]): string {
  return `<${name}>${children.join('')}</${name}>`;
}

/** A whole document: the declaration, then the root element (in S3's namespace unless `namespaced` is false). */
function documentOf(root: string, children: readonly string[] | string, namespaced = true): string {
  const open = namespaced ? `<${root} xmlns="${S3_XML_NAMESPACE}">` : `<${root}>`;
  const body = typeof children === 'string' ? escapeXml(children) : children.join('');
  return `${DECLARATION}${open}${body}</${root}>`;
}

/** ISO-8601 with milliseconds in UTC, e.g. `2026-11-29T13:44:06.000Z` (S3's timestamp format in XML). */
function timestamp(date: Date): string {
  return date.toISOString();
}

/**
 * The error document (S3 sends it without a namespace): Code, Message, Resource when the error names one, the
 * error's extra fields in their insertion order (e.g. BucketName, Key, ActualObjectSize), then RequestId.
 */
export function errorXml(err: S3Error, requestId: string): string {
  const children = [leaf('Code', err.code), leaf('Message', err.message)];
  if (err.resource !== undefined) children.push(leaf('Resource', err.resource));
  for (const [name, value] of Object.entries(err.fields)) {
    // Field names come from this service's code, never from a request: a bad one is a programming error.
    if (!XML_NAME.test(name)) throw new Error(`S3 error field name is not an XML name: ${name}`);
    children.push(leaf(name, value));
  }
  children.push(leaf('RequestId', requestId));
  return documentOf('Error', children, false);
}

export interface ListBucketsDocument {
  ownerId: string;
  ownerName: string;
  buckets: readonly { name: string; creationDate: Date }[];
}

/** ListBuckets' `ListAllMyBucketsResult`: Owner (ID, DisplayName), then Buckets. */
export function listBucketsXml(doc: ListBucketsDocument): string {
  return documentOf('ListAllMyBucketsResult', [
    node('Owner', [leaf('ID', doc.ownerId), leaf('DisplayName', doc.ownerName)]),
    node(
      'Buckets',
      doc.buckets.map((b) =>
        node('Bucket', [leaf('Name', b.name), leaf('CreationDate', timestamp(b.creationDate))]),
      ),
    ),
  ]);
}

export interface ListObjectsV2Document {
  bucket: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  keyCount: number;
  isTruncated: boolean;
  continuationToken?: string;
  nextContinuationToken?: string;
  startAfter?: string;
  encodingType?: 'url';
  contents: readonly { key: string; lastModified: Date; etag: string; size: number; storageClass?: string }[];
  commonPrefixes: readonly string[];
}

const URL_SAFE = new Set(
  Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./*', 'ascii'),
);

/**
 * Percent-encoding S3 applies to names under `encoding-type=url`: every UTF-8 byte except ASCII letters, digits and
 * `- _ . / *` becomes `%XX` (upper-case hex), and a space becomes `+` (form encoding: the aws cli decodes these
 * values with `unquote_plus`).
 */
export function s3UrlEncode(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    if (URL_SAFE.has(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * ListObjectsV2's `ListBucketResult`. With `encodingType: 'url'`, Prefix, Delimiter, StartAfter, every Key and every
 * CommonPrefixes Prefix are written URL-encoded (`s3UrlEncode`) and EncodingType is echoed; the continuation tokens
 * never are (they are already URL-safe). StorageClass defaults to STANDARD.
 */
export function listObjectsV2Xml(doc: ListObjectsV2Document): string {
  const name = doc.encodingType === 'url' ? s3UrlEncode : (s: string) => s;
  const children = [leaf('Name', doc.bucket), leaf('Prefix', name(doc.prefix))];
  if (doc.continuationToken !== undefined) children.push(leaf('ContinuationToken', doc.continuationToken));
  if (doc.nextContinuationToken !== undefined)
    children.push(leaf('NextContinuationToken', doc.nextContinuationToken));
  children.push(leaf('KeyCount', doc.keyCount), leaf('MaxKeys', doc.maxKeys));
  if (doc.delimiter !== undefined) children.push(leaf('Delimiter', name(doc.delimiter)));
  if (doc.encodingType !== undefined) children.push(leaf('EncodingType', doc.encodingType));
  if (doc.startAfter !== undefined) children.push(leaf('StartAfter', name(doc.startAfter)));
  children.push(leaf('IsTruncated', doc.isTruncated));
  for (const o of doc.contents) {
    children.push(
      node('Contents', [
        leaf('Key', name(o.key)),
        leaf('LastModified', timestamp(o.lastModified)),
        leaf('ETag', o.etag),
        leaf('Size', o.size),
        leaf('StorageClass', o.storageClass ?? 'STANDARD'),
      ]),
    );
  }
  for (const p of doc.commonPrefixes) children.push(node('CommonPrefixes', [leaf('Prefix', name(p))]));
  return documentOf('ListBucketResult', children);
}

/** CreateMultipartUpload's `InitiateMultipartUploadResult`. */
export function initiateMultipartUploadXml(doc: { bucket: string; key: string; uploadId: string }): string {
  return documentOf('InitiateMultipartUploadResult', [
    leaf('Bucket', doc.bucket),
    leaf('Key', doc.key),
    leaf('UploadId', doc.uploadId),
  ]);
}

export interface ListMultipartUploadsDocument {
  bucket: string;
  keyMarker: string;
  uploadIdMarker: string;
  nextKeyMarker: string;
  nextUploadIdMarker: string;
  prefix: string;
  maxUploads: number;
  isTruncated: boolean;
  uploads: readonly { key: string; uploadId: string; initiated: Date }[];
  ownerId: string;
}

/** ListMultipartUploads' `ListMultipartUploadsResult`; the initiator and the owner are both the tenant. */
export function listMultipartUploadsXml(doc: ListMultipartUploadsDocument): string {
  return documentOf('ListMultipartUploadsResult', [
    leaf('Bucket', doc.bucket),
    leaf('KeyMarker', doc.keyMarker),
    leaf('UploadIdMarker', doc.uploadIdMarker),
    leaf('NextKeyMarker', doc.nextKeyMarker),
    leaf('NextUploadIdMarker', doc.nextUploadIdMarker),
    leaf('Prefix', doc.prefix),
    leaf('MaxUploads', doc.maxUploads),
    leaf('IsTruncated', doc.isTruncated),
    ...doc.uploads.map((u) =>
      node('Upload', [
        leaf('Key', u.key),
        leaf('UploadId', u.uploadId),
        node('Initiator', [leaf('ID', doc.ownerId)]),
        node('Owner', [leaf('ID', doc.ownerId)]),
        leaf('StorageClass', 'STANDARD'),
        leaf('Initiated', timestamp(u.initiated)),
      ]),
    ),
  ]);
}

/** CompleteMultipartUpload's `CompleteMultipartUploadResult`. */
export function completeMultipartUploadXml(doc: {
  location: string;
  bucket: string;
  key: string;
  etag: string;
}): string {
  return documentOf('CompleteMultipartUploadResult', [
    leaf('Location', doc.location),
    leaf('Bucket', doc.bucket),
    leaf('Key', doc.key),
    leaf('ETag', doc.etag),
  ]);
}

export interface ListPartsDocument {
  bucket: string;
  key: string;
  uploadId: string;
  partNumberMarker: number;
  nextPartNumberMarker: number;
  maxParts: number;
  isTruncated: boolean;
  parts: readonly { partNumber: number; lastModified: Date; etag: string; size: number }[];
  ownerId: string;
}

/** ListParts' `ListPartsResult`; the initiator and the owner are both the tenant (`ownerId`). */
export function listPartsXml(doc: ListPartsDocument): string {
  return documentOf('ListPartsResult', [
    leaf('Bucket', doc.bucket),
    leaf('Key', doc.key),
    leaf('UploadId', doc.uploadId),
    node('Initiator', [leaf('ID', doc.ownerId)]),
    node('Owner', [leaf('ID', doc.ownerId)]),
    leaf('StorageClass', 'STANDARD'),
    leaf('PartNumberMarker', doc.partNumberMarker),
    leaf('NextPartNumberMarker', doc.nextPartNumberMarker),
    leaf('MaxParts', doc.maxParts),
    leaf('IsTruncated', doc.isTruncated),
    ...doc.parts.map((p) =>
      node('Part', [
        leaf('PartNumber', p.partNumber),
        leaf('LastModified', timestamp(p.lastModified)),
        leaf('ETag', p.etag),
        leaf('Size', p.size),
      ]),
    ),
  ]);
}

/** CopyObject's `CopyObjectResult`. */
export function copyObjectResultXml(doc: { etag: string; lastModified: Date }): string {
  return documentOf('CopyObjectResult', [
    leaf('LastModified', timestamp(doc.lastModified)),
    leaf('ETag', doc.etag),
  ]);
}

export interface DeleteResultDocument {
  deleted: readonly { key: string }[];
  errors: readonly { key: string; code: string; message: string }[];
  quiet: boolean;
}

/** DeleteObjects' `DeleteResult`: Deleted entries (left out in quiet mode, as S3 does), then Error entries. */
export function deleteResultXml(doc: DeleteResultDocument): string {
  const deleted = doc.quiet ? [] : doc.deleted.map((d) => node('Deleted', [leaf('Key', d.key)]));
  const errors = doc.errors.map((e) =>
    node('Error', [leaf('Key', e.key), leaf('Code', e.code), leaf('Message', e.message)]),
  );
  return documentOf('DeleteResult', [...deleted, ...errors]);
}

/** GetBucketLocation's `LocationConstraint`: empty for us-east-1, as S3 answers for that region. */
export function locationConstraintXml(region: string): string {
  return documentOf('LocationConstraint', region === 'us-east-1' ? '' : region);
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

/** Default size caps (bytes of UTF-8) for request bodies; each parser takes its own cap as a parameter. */
export const XML_BODY_LIMITS = {
  /** 10,000 parts of about 300 bytes each (PartNumber, quoted ETag, one checksum, indentation). */
  completeMultipartUpload: 4 * 1024 * 1024,
  /** 1,000 keys of up to 1,024 bytes, room for escaping. */
  deleteObjects: 4 * 1024 * 1024,
  createBucketConfiguration: 16 * 1024,
} as const;

export const MAX_DELETE_OBJECTS = 1000;

const MALFORMED_MESSAGE =
  'The XML you provided was not well-formed or did not validate against our published schema';

function malformed(): S3Error {
  return new S3Error('MalformedXML', MALFORMED_MESSAGE);
}

/** An element: its local name (namespace prefix removed), its child elements, and its text in document order. */
interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** The text content, entity references decoded, CDATA sections taken as they are. */
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  // Entities are decoded below, strictly; the parser must leave them alone.
  processEntities: false,
  cdataPropName: '#cdata',
});

/** `<!` that does not open a comment or a CDATA section: DOCTYPE, ENTITY, ELEMENT, ATTLIST and the like. */
const DECLARATION_MARKUP = /<!(?!--|\[CDATA\[)/;
/** Characters XML 1.0 forbids anywhere in a document, and lone surrogates (not well-formed UTF-16). */
const FORBIDDEN_CHAR =
  // eslint-disable-next-line no-control-regex -- these control characters are what must be refused
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const REFERENCE = /&(?:#x([0-9A-Fa-f]{1,6});|#([0-9]{1,7});|(amp|lt|gt|quot|apos);)|&/g;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Decodes the predefined entities and character references; anything else after `&` is malformed. */
function decodeReferences(raw: string): string {
  return raw.replace(
    REFERENCE,
    (_match, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
      if (named !== undefined) return PREDEFINED[named]!;
      if (hex === undefined && dec === undefined) throw malformed();
      const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
      if (!isXmlChar(cp)) throw malformed();
      return String.fromCodePoint(cp);
    },
  );
}

type RawNode = Record<string, unknown>;

/**
 * Turns the parser's ordered output (`preserveOrder`: a list of one-key objects, `#text`, `#cdata` or a tag name whose
 * value is its own list; `:@` would hold attributes, which are ignored) into elements.
 */
function toElements(nodes: readonly RawNode[]): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const raw of nodes) {
    const name = Object.keys(raw).find((k) => k !== ':@')!;
    const value = raw[name];
    if (name === '#text') {
      text += decodeReferences(String(value));
    } else if (name === '#cdata') {
      // CDATA is literal: its text is taken as it is, never decoded.
      text += (value as RawNode[]).map((part) => String(part['#text'])).join('');
    } else {
      const inner = toElements(value as RawNode[]);
      elements.push({ name, children: inner.elements, text: inner.text });
    }
  }
  return { elements, text };
}

/**
 * Checks and parses a request body into its root element. Order: size cap, declarations (DOCTYPE / ENTITY), forbidden
 * characters, well-formedness (fast-xml-parser's validator), then the tree; the root must be `rootName`.
 */
function parseDocument(body: string, rootName: string, maxBytes: number, maxTags: number): XmlElement {
  if (Buffer.byteLength(body, 'utf8') > maxBytes) {
    throw new S3Error('MaxMessageLengthExceeded', 'Your request was too big.');
  }
  // Counted before any parsing: a body of many tiny elements costs the parser far more than its bytes suggest (a
  // 4 MiB DeleteObjects of empty keys is 140,000 elements), and the element limits are checked only on the tree.
  let tags = 0;
  for (let at = body.indexOf('<'); at !== -1; at = body.indexOf('<', at + 1)) {
    if (++tags > maxTags) throw malformed();
  }
  if (DECLARATION_MARKUP.test(body) || FORBIDDEN_CHAR.test(body)) throw malformed();
  // XML end-of-line handling: a reader sees every CR LF and lone CR as LF (CRs written as &#xD; survive).
  const normalized = body.replace(/\r\n?/g, '\n');
  if (XMLValidator.validate(normalized) !== true) throw malformed();
  let tree: RawNode[];
  try {
    tree = parser.parse(normalized) as RawNode[];
  } catch {
    // The parser refuses, among others, element names such as __proto__ or constructor.
    throw malformed();
  }
  // The validator has refused text outside the root; two roots are left to refuse.
  const top = toElements(tree);
  if (top.elements.length !== 1) throw malformed();
  const root = top.elements[0]!;
  if (root.name !== rootName) throw malformed();
  return root;
}

/** XML whitespace only (what may sit between elements). */
function isBlank(text: string): boolean {
  return /^[ \t\n\r]*$/.test(text);
}

/** An element holding only elements: its text must be whitespace. */
function containerOf(el: XmlElement): readonly XmlElement[] {
  if (!isBlank(el.text)) throw malformed();
  return el.children;
}

/** An element holding only text. */
function textOf(el: XmlElement): string {
  if (el.children.length > 0) throw malformed();
  return el.text;
}

/** The one child named `name`, or undefined; two of them are malformed. */
function optionalChild(children: readonly XmlElement[], name: string): XmlElement | undefined {
  const found = children.filter((c) => c.name === name);
  if (found.length > 1) throw malformed();
  return found[0];
}

/** An xs:int-like value (whitespace collapsed) in [min, max]. */
function integerIn(text: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^[0-9]{1,9}$/.test(t)) throw malformed();
  const n = Number(t);
  if (n < min || n > max) throw malformed();
  return n;
}

/**
 * CompleteMultipartUpload's body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…`.
 * Returns the parts in document order (checking their order against the upload, InvalidPartOrder / InvalidPart, is
 * the caller's job). Each Part needs exactly one PartNumber (an integer 1..10000) and one non-empty ETag (kept
 * exactly as given, quotes included); `Checksum*` elements are tolerated and ignored; anything else, no parts, or
 * more than 10,000 parts is MalformedXML.
 */
export function parseCompleteMultipartUpload(
  body: string,
  maxBytes: number = XML_BODY_LIMITS.completeMultipartUpload,
): { partNumber: number; etag: string }[] {
  // Per part: Part, PartNumber, ETag and up to two checksums, opened and closed.
  const root = parseDocument(body, 'CompleteMultipartUpload', maxBytes, MAX_PART_NUMBER * 10 + 8);
  const partElements = containerOf(root);
  if (partElements.length === 0 || partElements.length > MAX_PART_NUMBER) throw malformed();
  return partElements.map((part) => {
    if (part.name !== 'Part') throw malformed();
    const fields = containerOf(part);
    for (const f of fields) {
      if (f.name !== 'PartNumber' && f.name !== 'ETag' && !f.name.startsWith('Checksum')) throw malformed();
      textOf(f);
    }
    const number = optionalChild(fields, 'PartNumber');
    const etag = optionalChild(fields, 'ETag');
    if (number === undefined || etag === undefined) throw malformed();
    const etagText = textOf(etag);
    if (etagText === '') throw malformed();
    return { partNumber: integerIn(textOf(number), 1, MAX_PART_NUMBER), etag: etagText };
  });
}

/**
 * CreateBucket's optional body: `<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>…`.
 * Returns the LocationConstraint, or undefined when the body is empty (or whitespace), the element is absent or it
 * is empty (all three mean "the service's own region"). Checking the region against the service's is the caller's
 * job. Any other element is MalformedXML.
 */
export function parseCreateBucketConfiguration(
  body: string,
  maxBytes: number = XML_BODY_LIMITS.createBucketConfiguration,
): string | undefined {
  if (isBlank(body)) return undefined;
  const root = parseDocument(body, 'CreateBucketConfiguration', maxBytes, 16);
  const children = containerOf(root);
  if (children.some((c) => c.name !== 'LocationConstraint')) throw malformed();
  const location = optionalChild(children, 'LocationConstraint');
  const value = location === undefined ? '' : textOf(location).trim();
  return value === '' ? undefined : value;
}

/**
 * DeleteObjects' body: `<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object>…</Delete>`. Keys are returned in
 * document order exactly as given (whitespace included, no validation: the caller reports a bad key as an Error entry
 * of the result, with checkObjectKey). Quiet is optional (`true`, `false`, `1`, `0`). No Object, more than 1,000, an
 * Object without exactly one Key, or any other element (VersionId included: this service keeps no versions) is
 * MalformedXML.
 */
export function parseDeleteObjects(
  body: string,
  maxBytes: number = XML_BODY_LIMITS.deleteObjects,
): { quiet: boolean; keys: string[] } {
  // Per object: Object and Key, opened and closed; and Quiet.
  const root = parseDocument(body, 'Delete', maxBytes, MAX_DELETE_OBJECTS * 4 + 8);
  const children = containerOf(root);
  if (children.some((c) => c.name !== 'Object' && c.name !== 'Quiet')) throw malformed();
  const quietElement = optionalChild(children, 'Quiet');
  let quiet = false;
  if (quietElement !== undefined) {
    const q = textOf(quietElement).trim();
    if (q !== 'true' && q !== 'false' && q !== '1' && q !== '0') throw malformed();
    quiet = q === 'true' || q === '1';
  }
  const objects = children.filter((c) => c.name === 'Object');
  if (objects.length === 0 || objects.length > MAX_DELETE_OBJECTS) throw malformed();
  const keys = objects.map((o) => {
    const fields = containerOf(o);
    if (fields.length !== 1 || fields[0]!.name !== 'Key') throw malformed();
    return textOf(fields[0]!);
  });
  return { quiet, keys };
}
