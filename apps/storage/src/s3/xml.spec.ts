import { jest } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { MAX_PART_NUMBER } from './range.js';
import { S3Error } from './errors.js';
import {
  completeMultipartUploadXml,
  copyObjectResultXml,
  deleteResultXml,
  errorXml,
  escapeXml,
  initiateMultipartUploadXml,
  listBucketsXml,
  listMultipartUploadsXml,
  listObjectsV2Xml,
  listPartsXml,
  locationConstraintXml,
  MAX_DELETE_OBJECTS,
  parseCompleteMultipartUpload,
  parseCreateBucketConfiguration,
  parseDeleteObjects,
  s3UrlEncode,
  XML_BODY_LIMITS,
} from './xml.js';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** The expected documents below are indented for reading; the writers emit no whitespace between elements. */
function doc(pretty: string): string {
  return DECL + pretty.replace(/>\s+</g, '><').trim();
}

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('escapeXml', () => {
  it('should escape the five markup characters when text contains them', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
  });

  it('should write character references when text holds a carriage return or a control character', () => {
    expect(escapeXml('a\rb\u0001c\u001Fd\uFFFF')).toBe('a&#xD;b&#x1;c&#x1F;d&#xFFFF;');
  });

  it('should keep tab, newline and non-ASCII characters when they are legal XML', () => {
    expect(escapeXml('a\tb\nc é 日本 😀')).toBe('a\tb\nc é 日本 😀');
  });
});

describe('errorXml', () => {
  it('should write Code, Message and RequestId without a namespace when the error has no resource or fields', () => {
    const err = new S3Error('NoSuchKey', 'The resource you requested does not exist');
    expect(errorXml(err, '4442587FB7D0A2F9')).toBe(
      doc(`<Error>
        <Code>NoSuchKey</Code>
        <Message>The resource you requested does not exist</Message>
        <RequestId>4442587FB7D0A2F9</RequestId>
      </Error>`),
    );
  });

  it('should write Resource and the extra fields in order when the error carries them', () => {
    const err = new S3Error(
      'InvalidRange',
      'The requested range is not satisfiable',
      '/mybucket/my<foto>.jpg',
      {
        RangeRequested: 'bytes=100-200',
        ActualObjectSize: '10',
      },
    );
    expect(errorXml(err, 'req-1')).toBe(
      doc(`<Error>
        <Code>InvalidRange</Code>
        <Message>The requested range is not satisfiable</Message>
        <Resource>/mybucket/my&lt;foto&gt;.jpg</Resource>
        <RangeRequested>bytes=100-200</RangeRequested>
        <ActualObjectSize>10</ActualObjectSize>
        <RequestId>req-1</RequestId>
      </Error>`),
    );
  });

  it('should throw when a field name is not an XML name', () => {
    const err = new S3Error('InvalidArgument', 'x', undefined, { 'bad name': 'v' });
    expect(() => errorXml(err, 'r')).toThrow('S3 error field name is not an XML name: bad name');
  });
});

describe('listBucketsXml', () => {
  it('should write Owner then Buckets when the tenant has buckets', () => {
    expect(
      listBucketsXml({
        ownerId: 'bcaf1ffd86f461ca5fb16fd081034f',
        ownerName: 'webfile',
        buckets: [
          { name: 'quotes', creationDate: new Date('2006-02-03T16:45:09.000Z') },
          { name: 'samples', creationDate: new Date('2006-02-03T16:41:58.000Z') },
        ],
      }),
    ).toBe(
      doc(`<ListAllMyBucketsResult ${NS}>
        <Owner>
          <ID>bcaf1ffd86f461ca5fb16fd081034f</ID>
          <DisplayName>webfile</DisplayName>
        </Owner>
        <Buckets>
          <Bucket>
            <Name>quotes</Name>
            <CreationDate>2006-02-03T16:45:09.000Z</CreationDate>
          </Bucket>
          <Bucket>
            <Name>samples</Name>
            <CreationDate>2006-02-03T16:41:58.000Z</CreationDate>
          </Bucket>
        </Buckets>
      </ListAllMyBucketsResult>`),
    );
  });

  it('should write an empty Buckets element when the tenant has no bucket', () => {
    expect(listBucketsXml({ ownerId: 'o', ownerName: 'n', buckets: [] })).toBe(
      doc(`<ListAllMyBucketsResult ${NS}><Owner><ID>o</ID><DisplayName>n</DisplayName></Owner><Buckets></Buckets>
      </ListAllMyBucketsResult>`),
    );
  });
});

describe('listObjectsV2Xml', () => {
  const base = {
    bucket: 'bucket',
    prefix: '',
    maxKeys: 1000,
    keyCount: 1,
    isTruncated: false,
    contents: [
      {
        key: 'my-image.jpg',
        lastModified: new Date('2009-10-12T17:50:30.000Z'),
        etag: '"fba9dede5f27731c9771645a39863328"',
        size: 434234,
      },
    ],
    commonPrefixes: [],
  };

  it('should write the S3 reference example when listing without options', () => {
    expect(listObjectsV2Xml(base)).toBe(
      doc(`<ListBucketResult ${NS}>
        <Name>bucket</Name>
        <Prefix></Prefix>
        <KeyCount>1</KeyCount>
        <MaxKeys>1000</MaxKeys>
        <IsTruncated>false</IsTruncated>
        <Contents>
          <Key>my-image.jpg</Key>
          <LastModified>2009-10-12T17:50:30.000Z</LastModified>
          <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
          <Size>434234</Size>
          <StorageClass>STANDARD</StorageClass>
        </Contents>
      </ListBucketResult>`),
    );
  });

  it('should write tokens, delimiter, start-after and common prefixes when the request has them', () => {
    expect(
      listObjectsV2Xml({
        ...base,
        bucket: 'example-bucket',
        prefix: 'photos/',
        delimiter: '/',
        maxKeys: 2,
        keyCount: 2,
        isTruncated: true,
        continuationToken: 'a2V5',
        nextContinuationToken: 'cGhvdG9zLzIwMDYv',
        startAfter: 'photos/a&b',
        contents: [{ ...base.contents[0]!, key: 'photos/x.jpg', storageClass: 'REDUCED_REDUNDANCY' }],
        commonPrefixes: ['photos/2006/'],
      }),
    ).toBe(
      doc(`<ListBucketResult ${NS}>
        <Name>example-bucket</Name>
        <Prefix>photos/</Prefix>
        <ContinuationToken>a2V5</ContinuationToken>
        <NextContinuationToken>cGhvdG9zLzIwMDYv</NextContinuationToken>
        <KeyCount>2</KeyCount>
        <MaxKeys>2</MaxKeys>
        <Delimiter>/</Delimiter>
        <StartAfter>photos/a&amp;b</StartAfter>
        <IsTruncated>true</IsTruncated>
        <Contents>
          <Key>photos/x.jpg</Key>
          <LastModified>2009-10-12T17:50:30.000Z</LastModified>
          <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
          <Size>434234</Size>
          <StorageClass>REDUCED_REDUNDANCY</StorageClass>
        </Contents>
        <CommonPrefixes>
          <Prefix>photos/2006/</Prefix>
        </CommonPrefixes>
      </ListBucketResult>`),
    );
  });

  it('should URL-encode Prefix, Delimiter, StartAfter, Key and CommonPrefixes when encoding-type is url', () => {
    expect(
      listObjectsV2Xml({
        ...base,
        prefix: 'a b/',
        delimiter: '&',
        startAfter: 'a b/\u0001',
        encodingType: 'url',
        continuationToken: 'tok-_',
        contents: [{ ...base.contents[0]!, key: 'a b/é~+' }],
        commonPrefixes: ['a b/x&'],
      }),
    ).toBe(
      doc(`<ListBucketResult ${NS}>
        <Name>bucket</Name>
        <Prefix>a+b/</Prefix>
        <ContinuationToken>tok-_</ContinuationToken>
        <KeyCount>1</KeyCount>
        <MaxKeys>1000</MaxKeys>
        <Delimiter>%26</Delimiter>
        <EncodingType>url</EncodingType>
        <StartAfter>a+b/%01</StartAfter>
        <IsTruncated>false</IsTruncated>
        <Contents>
          <Key>a+b/%C3%A9%7E%2B</Key>
          <LastModified>2009-10-12T17:50:30.000Z</LastModified>
          <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
          <Size>434234</Size>
          <StorageClass>STANDARD</StorageClass>
        </Contents>
        <CommonPrefixes>
          <Prefix>a+b/x%26</Prefix>
        </CommonPrefixes>
      </ListBucketResult>`),
    );
  });

  it('should escape control characters in keys when encoding-type is not given', () => {
    const xml = listObjectsV2Xml({ ...base, contents: [{ ...base.contents[0]!, key: 'a\u0001\rb' }] });
    expect(xml).toContain('<Key>a&#x1;&#xD;b</Key>');
  });
});

describe('s3UrlEncode', () => {
  it('should keep letters, digits and - _ . / * when encoding a name', () => {
    expect(s3UrlEncode('AZaz09-_./*')).toBe('AZaz09-_./*');
  });

  it('should write a space as + and other bytes as upper-case %XX of their UTF-8 when encoding a name', () => {
    expect(s3UrlEncode(' ~+%?=😀')).toBe('+%7E%2B%25%3F%3D%F0%9F%98%80');
  });
});

describe('initiateMultipartUploadXml', () => {
  it('should write the S3 reference example when an upload starts', () => {
    expect(
      initiateMultipartUploadXml({
        bucket: 'example-bucket',
        key: 'example-object',
        uploadId: 'VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA',
      }),
    ).toBe(
      doc(`<InitiateMultipartUploadResult ${NS}>
        <Bucket>example-bucket</Bucket>
        <Key>example-object</Key>
        <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
      </InitiateMultipartUploadResult>`),
    );
  });
});

describe('completeMultipartUploadXml', () => {
  it('should write the S3 reference example when an upload completes', () => {
    expect(
      completeMultipartUploadXml({
        location: 'http://127.0.0.1:9000/Example-Bucket/Example-Object',
        bucket: 'Example-Bucket',
        key: 'Example-Object',
        etag: '"3858f62230ac3c915f300c664312c11f-9"',
      }),
    ).toBe(
      doc(`<CompleteMultipartUploadResult ${NS}>
        <Location>http://127.0.0.1:9000/Example-Bucket/Example-Object</Location>
        <Bucket>Example-Bucket</Bucket>
        <Key>Example-Object</Key>
        <ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>
      </CompleteMultipartUploadResult>`),
    );
  });
});

describe('listPartsXml', () => {
  it('should write the S3 reference example when listing the parts of an upload', () => {
    expect(
      listPartsXml({
        bucket: 'example-bucket',
        key: 'example-object',
        uploadId: 'XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA',
        partNumberMarker: 1,
        nextPartNumberMarker: 3,
        maxParts: 2,
        isTruncated: true,
        ownerId: '111122223333',
        parts: [
          {
            partNumber: 2,
            lastModified: new Date('2010-11-10T20:48:34.000Z'),
            etag: '"7778aef83f66abc1fa1e8477f296d394"',
            size: 10485760,
          },
          {
            partNumber: 3,
            lastModified: new Date('2010-11-10T20:48:33.000Z'),
            etag: '"aaaa18db4cc2f85cedef654fccc4a4x8"',
            size: 10485760,
          },
        ],
      }),
    ).toBe(
      doc(`<ListPartsResult ${NS}>
        <Bucket>example-bucket</Bucket>
        <Key>example-object</Key>
        <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
        <Initiator><ID>111122223333</ID></Initiator>
        <Owner><ID>111122223333</ID></Owner>
        <StorageClass>STANDARD</StorageClass>
        <PartNumberMarker>1</PartNumberMarker>
        <NextPartNumberMarker>3</NextPartNumberMarker>
        <MaxParts>2</MaxParts>
        <IsTruncated>true</IsTruncated>
        <Part>
          <PartNumber>2</PartNumber>
          <LastModified>2010-11-10T20:48:34.000Z</LastModified>
          <ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag>
          <Size>10485760</Size>
        </Part>
        <Part>
          <PartNumber>3</PartNumber>
          <LastModified>2010-11-10T20:48:33.000Z</LastModified>
          <ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag>
          <Size>10485760</Size>
        </Part>
      </ListPartsResult>`),
    );
  });
});

describe('copyObjectResultXml', () => {
  it('should write the S3 reference example when an object is copied', () => {
    expect(
      copyObjectResultXml({
        etag: '"9b2cf535f27731c974343645a3985328"',
        lastModified: new Date('2009-10-28T22:32:00.000Z'),
      }),
    ).toBe(
      doc(`<CopyObjectResult ${NS}>
        <LastModified>2009-10-28T22:32:00.000Z</LastModified>
        <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
      </CopyObjectResult>`),
    );
  });
});

describe('deleteResultXml', () => {
  const result = {
    deleted: [{ key: 'sample1.txt' }],
    errors: [{ key: 'sample2.txt', code: 'AccessDenied', message: 'Access Denied' }],
  };

  it('should write Deleted then Error entries when not quiet', () => {
    expect(deleteResultXml({ ...result, quiet: false })).toBe(
      doc(`<DeleteResult ${NS}>
        <Deleted>
          <Key>sample1.txt</Key>
        </Deleted>
        <Error>
          <Key>sample2.txt</Key>
          <Code>AccessDenied</Code>
          <Message>Access Denied</Message>
        </Error>
      </DeleteResult>`),
    );
  });

  it('should write only the Error entries when quiet', () => {
    expect(deleteResultXml({ ...result, quiet: true })).toBe(
      doc(`<DeleteResult ${NS}>
        <Error>
          <Key>sample2.txt</Key>
          <Code>AccessDenied</Code>
          <Message>Access Denied</Message>
        </Error>
      </DeleteResult>`),
    );
  });
});

describe('locationConstraintXml', () => {
  it('should write the region when the region is not us-east-1', () => {
    expect(locationConstraintXml('eu-west-1')).toBe(
      doc(`<LocationConstraint ${NS}>eu-west-1</LocationConstraint>`),
    );
  });

  it('should write an empty constraint when the region is us-east-1', () => {
    expect(locationConstraintXml('us-east-1')).toBe(doc(`<LocationConstraint ${NS}></LocationConstraint>`));
  });
});

describe('parseCompleteMultipartUpload', () => {
  const complete = (parts: string) => `<CompleteMultipartUpload ${NS}>${parts}</CompleteMultipartUpload>`;
  const part = (n: string, etag = '"a54357aff0632cce46d942af68356b38"') =>
    `<Part><PartNumber>${n}</PartNumber><ETag>${etag}</ETag></Part>`;

  it('should return the parts in document order when the body is the S3 reference example', () => {
    const body = `${DECL}<CompleteMultipartUpload ${NS}>
      <Part>
        <PartNumber>1</PartNumber>
        <ETag>"a54357aff0632cce46d942af68356b38"</ETag>
      </Part>
      <Part>
        <PartNumber>2</PartNumber>
        <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>
      </Part>
      <Part>
        <PartNumber>3</PartNumber>
        <ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag>
      </Part>
    </CompleteMultipartUpload>`;
    expect(parseCompleteMultipartUpload(body)).toEqual([
      { partNumber: 1, etag: '"a54357aff0632cce46d942af68356b38"' },
      { partNumber: 2, etag: '"0c78aef83f66abc1fa1e8477f296d394"' },
      { partNumber: 3, etag: '"acbd18db4cc2f85cedef654fccc4a4d8"' },
    ]);
  });

  it('should keep the ETag as given when it is unquoted or escaped', () => {
    expect(parseCompleteMultipartUpload(complete(part('1', 'abc') + part('2', '&quot;def&quot;')))).toEqual([
      { partNumber: 1, etag: 'abc' },
      { partNumber: 2, etag: '"def"' },
    ]);
  });

  it('should decode character references when they name characters XML allows', () => {
    expect(
      parseCompleteMultipartUpload(
        complete(part('1', '&#9;&#10;&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x1F600;&#x10FFFF;')),
      ),
    ).toEqual([{ partNumber: 1, etag: '\t\n \uD7FF\uE000\uFFFD😀\u{10FFFF}' }]);
  });

  it('should tolerate checksum elements when a part carries them', () => {
    const body = complete(
      '<Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ETag>"e"</ETag><PartNumber>7</PartNumber>' +
        '<ChecksumFutureAlgorithm>x</ChecksumFutureAlgorithm></Part>',
    );
    expect(parseCompleteMultipartUpload(body)).toEqual([{ partNumber: 7, etag: '"e"' }]);
  });

  it('should accept namespace prefixes and no namespace when the body uses them', () => {
    expect(
      parseCompleteMultipartUpload(
        '<s3:CompleteMultipartUpload xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Part>' +
          '<s3:PartNumber>1</s3:PartNumber><s3:ETag>"e"</s3:ETag></s3:Part></s3:CompleteMultipartUpload>',
      ),
    ).toEqual([{ partNumber: 1, etag: '"e"' }]);
    expect(
      parseCompleteMultipartUpload(`<CompleteMultipartUpload>${part('10000')}</CompleteMultipartUpload>`),
    ).toEqual([{ partNumber: 10000, etag: '"a54357aff0632cce46d942af68356b38"' }]);
  });

  it.each([
    ['no part', complete('')],
    ['part number 0', complete(part('0'))],
    ['part number 10001', complete(part('10001'))],
    ["part number 'x'", complete(part('x'))],
    ['part number -1', complete(part('-1'))],
    ['part number 1.5', complete(part('1.5'))],
    ['a missing ETag', complete('<Part><PartNumber>1</PartNumber></Part>')],
    ['an empty ETag', complete(part('1', ''))],
    ['a missing PartNumber', complete('<Part><ETag>"e"</ETag></Part>')],
    [
      'two PartNumbers',
      complete('<Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>e</ETag></Part>'),
    ],
    [
      'an unknown element in a part',
      complete('<Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>1</Size></Part>'),
    ],
    ['an unknown element in the root', complete(part('1') + '<Other/>')],
    ['an element inside the ETag', complete('<Part><PartNumber>1</PartNumber><ETag><b>e</b></ETag></Part>')],
    [
      'an element inside a checksum',
      complete('<Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumCRC32><b/></ChecksumCRC32></Part>'),
    ],
    ['text between parts', complete(`text${part('1')}`)],
    ['the wrong root', `<CompleteMultipart>${part('1')}</CompleteMultipart>`],
    ['two roots', complete(part('1')) + complete(part('2'))],
    ['an unclosed element', `<CompleteMultipartUpload>${part('1')}`],
    ['mismatched tags', `<CompleteMultipartUpload>${part('1')}</Complete>`],
    ['an empty body', ''],
    ['plain text', 'not xml'],
    ['a DOCTYPE', `<!DOCTYPE CompleteMultipartUpload>${complete(part('1'))}`],
    [
      'an entity declaration',
      `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${complete(part('1', '&xxe;'))}`,
    ],
    ['an undeclared entity', complete(part('1', '&xxe;'))],
    ['a bare ampersand', complete(part('1', 'a&b'))],
    ['a reference to a character XML forbids', complete(part('1', '&#0;'))],
    ['a reference to a surrogate', complete(part('1', '&#xD800;'))],
    ['a reference to U+FFFE', complete(part('1', '&#xFFFE;'))],
    ['a reference past U+10FFFF', complete(part('1', '&#x110000;'))],
    ['a reference without its semicolon', complete(part('1', '&#65'))],
    ['a raw control character', complete(part('1', 'a\u0001b'))],
    ['a lone surrogate', complete(part('1', 'a\uD800b'))],
    [
      'a reserved element name',
      complete('<Part><PartNumber>1</PartNumber><ETag>e</ETag><__proto__/></Part>'),
    ],
  ])('should refuse with MalformedXML when the body has %s', (_name, body) => {
    const err = s3ErrorOf(() => parseCompleteMultipartUpload(body));
    expect(err.code).toBe('MalformedXML');
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  });

  it('should refuse with MalformedXML when the body has more than 10,000 parts', () => {
    const body = complete(Array.from({ length: 10_001 }, (_, i) => part(String((i % 10_000) + 1))).join(''));
    expect(s3ErrorOf(() => parseCompleteMultipartUpload(body)).code).toBe('MalformedXML');
  });

  it('should refuse with MaxMessageLengthExceeded when the body is over the size cap', () => {
    const body = complete(part('1'));
    const err = s3ErrorOf(() => parseCompleteMultipartUpload(body, body.length - 1));
    expect(err.code).toBe('MaxMessageLengthExceeded');
    expect(err.message).toBe('Your request was too big.');
    expect(parseCompleteMultipartUpload(body, body.length)).toHaveLength(1);
  });

  it('should count the cap in UTF-8 bytes when the body holds non-ASCII text', () => {
    const body = complete(part('1', '"é"'));
    expect(s3ErrorOf(() => parseCompleteMultipartUpload(body, body.length)).code).toBe(
      'MaxMessageLengthExceeded',
    );
  });

  it('should have a default cap that fits 10,000 parts with checksums', () => {
    const body = complete(
      Array.from(
        { length: 10_000 },
        (_, i) =>
          `\n  <Part>\n    <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>\n    <PartNumber>${i + 1}</PartNumber>\n` +
          `    <ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256>\n  </Part>`,
      ).join(''),
    );
    expect(body.length).toBeLessThan(XML_BODY_LIMITS.completeMultipartUpload);
    expect(parseCompleteMultipartUpload(body)).toHaveLength(10_000);
  });
});

describe('parseCreateBucketConfiguration', () => {
  it('should return the LocationConstraint when the body is the S3 reference example', () => {
    expect(
      parseCreateBucketConfiguration(
        `<CreateBucketConfiguration ${NS}>\n  <LocationConstraint>eu-west-1</LocationConstraint>\n` +
          '</CreateBucketConfiguration>',
      ),
    ).toBe('eu-west-1');
  });

  it('should return undefined when the body is empty or whitespace', () => {
    expect(parseCreateBucketConfiguration('')).toBeUndefined();
    expect(parseCreateBucketConfiguration(' \r\n')).toBeUndefined();
  });

  it('should return undefined when the constraint is absent or empty', () => {
    expect(parseCreateBucketConfiguration('<CreateBucketConfiguration/>')).toBeUndefined();
    expect(
      parseCreateBucketConfiguration(
        '<CreateBucketConfiguration><LocationConstraint></LocationConstraint></CreateBucketConfiguration>',
      ),
    ).toBeUndefined();
  });

  it.each([
    ['the wrong root', '<CreateBucket><LocationConstraint>eu-west-1</LocationConstraint></CreateBucket>'],
    [
      'two constraints',
      '<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint><LocationConstraint>b</LocationConstraint>' +
        '</CreateBucketConfiguration>',
    ],
    ['an unknown element', '<CreateBucketConfiguration><Bucket/></CreateBucketConfiguration>'],
    ['text in the root', '<CreateBucketConfiguration>eu-west-1</CreateBucketConfiguration>'],
    ['malformed XML', '<CreateBucketConfiguration>'],
    ['a DOCTYPE', '<!DOCTYPE x><CreateBucketConfiguration/>'],
  ])('should refuse with MalformedXML when the body has %s', (_name, body) => {
    expect(s3ErrorOf(() => parseCreateBucketConfiguration(body)).code).toBe('MalformedXML');
  });

  it('should refuse with MaxMessageLengthExceeded when the body is over the size cap', () => {
    const body = `<CreateBucketConfiguration>${' '.repeat(XML_BODY_LIMITS.createBucketConfiguration)}</CreateBucketConfiguration>`;
    expect(s3ErrorOf(() => parseCreateBucketConfiguration(body)).code).toBe('MaxMessageLengthExceeded');
  });
});

describe('parseDeleteObjects', () => {
  const del = (inner: string) => `<Delete ${NS}>${inner}</Delete>`;
  const obj = (key: string) => `<Object><Key>${key}</Key></Object>`;

  it('should return the keys and quiet mode when the body is the S3 reference example', () => {
    const body = `<Delete>
      <Quiet>true</Quiet>
      <Object>
        <Key>sample1.txt</Key>
      </Object>
      <Object>
        <Key>sample2.txt</Key>
      </Object>
    </Delete>`;
    expect(parseDeleteObjects(body)).toEqual({ quiet: true, keys: ['sample1.txt', 'sample2.txt'] });
  });

  it('should not be quiet when Quiet is absent, false or 0', () => {
    expect(parseDeleteObjects(del(obj('a'))).quiet).toBe(false);
    expect(parseDeleteObjects(del(`<Quiet>false</Quiet>${obj('a')}`)).quiet).toBe(false);
    expect(parseDeleteObjects(del(`<Quiet>0</Quiet>${obj('a')}`)).quiet).toBe(false);
    expect(parseDeleteObjects(del(`<Quiet>1</Quiet>${obj('a')}`)).quiet).toBe(true);
  });

  it('should return keys exactly as written when they hold whitespace, references, CDATA or non-ASCII text', () => {
    const body = del(
      obj(' a b ') +
        obj('x&amp;y&lt;z&gt;&quot;&apos;&#x41;&#66;&#xD;') +
        obj('<![CDATA[c<d&amp;]]>e') +
        obj('日本/😀') +
        obj('') +
        obj('line\r\nend'),
    );
    expect(parseDeleteObjects(body).keys).toEqual([
      ' a b ',
      'x&y<z>"\'AB\r',
      'c<d&amp;e',
      '日本/😀',
      '',
      'line\nend',
    ]);
  });

  it('should accept 1,000 objects when the body has exactly that many', () => {
    const body = del(Array.from({ length: 1000 }, (_, i) => obj(`k${i}`)).join(''));
    expect(parseDeleteObjects(body).keys).toHaveLength(1000);
  });

  it.each([
    ['no object', del('<Quiet>true</Quiet>')],
    ['more than 1,000 objects', del(Array.from({ length: 1001 }, (_, i) => obj(`k${i}`)).join(''))],
    ['an object without a key', del('<Object></Object>')],
    ['an object with two keys', del('<Object><Key>a</Key><Key>b</Key></Object>')],
    ['a VersionId', del('<Object><Key>a</Key><VersionId>v</VersionId></Object>')],
    ['an unknown element', del(obj('a') + '<Other/>')],
    ['two Quiet elements', del(`<Quiet>true</Quiet><Quiet>true</Quiet>${obj('a')}`)],
    ['a Quiet that is not a boolean', del(`<Quiet>yes</Quiet>${obj('a')}`)],
    ['the wrong root', `<DeleteObjects>${obj('a')}</DeleteObjects>`],
    ['an element inside a key', del(obj('<b>a</b>'))],
    ['an entity declaration', `<!DOCTYPE Delete [<!ENTITY e "x">]>${del(obj('&e;'))}`],
  ])('should refuse with MalformedXML when the body has %s', (_name, body) => {
    expect(s3ErrorOf(() => parseDeleteObjects(body)).code).toBe('MalformedXML');
  });

  it('should refuse with MaxMessageLengthExceeded when the body is over the size cap', () => {
    const body = del(obj('a'));
    expect(s3ErrorOf(() => parseDeleteObjects(body, 10)).code).toBe('MaxMessageLengthExceeded');
  });
});

describe('listMultipartUploadsXml', () => {
  const base = {
    bucket: 'example-bucket',
    keyMarker: '',
    uploadIdMarker: '',
    nextKeyMarker: '',
    nextUploadIdMarker: '',
    prefix: '',
    maxUploads: 1000,
    isTruncated: false,
    uploads: [],
    ownerId: '111122223333',
  };

  it('should write markers, limits and each upload with the tenant as initiator and owner when uploads are listed', () => {
    expect(
      listMultipartUploadsXml({
        ...base,
        keyMarker: 'a/0',
        uploadIdMarker: 'id-0',
        nextKeyMarker: 'a/2',
        nextUploadIdMarker: 'id-2',
        prefix: 'a/',
        maxUploads: 2,
        isTruncated: true,
        uploads: [
          { key: 'a/1', uploadId: 'id-1', initiated: new Date('2026-11-29T12:00:00.000Z') },
          { key: 'a/2', uploadId: 'id-2', initiated: new Date('2026-11-29T12:00:01.500Z') },
        ],
      }),
    ).toBe(
      doc(`<ListMultipartUploadsResult ${NS}>
        <Bucket>example-bucket</Bucket>
        <KeyMarker>a/0</KeyMarker>
        <UploadIdMarker>id-0</UploadIdMarker>
        <NextKeyMarker>a/2</NextKeyMarker>
        <NextUploadIdMarker>id-2</NextUploadIdMarker>
        <Prefix>a/</Prefix>
        <MaxUploads>2</MaxUploads>
        <IsTruncated>true</IsTruncated>
        <Upload>
          <Key>a/1</Key>
          <UploadId>id-1</UploadId>
          <Initiator><ID>111122223333</ID></Initiator>
          <Owner><ID>111122223333</ID></Owner>
          <StorageClass>STANDARD</StorageClass>
          <Initiated>2026-11-29T12:00:00.000Z</Initiated>
        </Upload>
        <Upload>
          <Key>a/2</Key>
          <UploadId>id-2</UploadId>
          <Initiator><ID>111122223333</ID></Initiator>
          <Owner><ID>111122223333</ID></Owner>
          <StorageClass>STANDARD</StorageClass>
          <Initiated>2026-11-29T12:00:01.500Z</Initiated>
        </Upload>
      </ListMultipartUploadsResult>`),
    );
  });

  it('should write empty markers and no Upload element when no upload is in progress', () => {
    expect(listMultipartUploadsXml(base)).toBe(
      doc(`<ListMultipartUploadsResult ${NS}>
        <Bucket>example-bucket</Bucket>
        <KeyMarker></KeyMarker>
        <UploadIdMarker></UploadIdMarker>
        <NextKeyMarker></NextKeyMarker>
        <NextUploadIdMarker></NextUploadIdMarker>
        <Prefix></Prefix>
        <MaxUploads>1000</MaxUploads>
        <IsTruncated>false</IsTruncated>
      </ListMultipartUploadsResult>`),
    );
  });

  it('should escape markup and control characters when keys and the prefix hold them', () => {
    const xml = listMultipartUploadsXml({
      ...base,
      prefix: 'a<&',
      keyMarker: 'm"\r',
      uploads: [{ key: `a<&'>\u0001`, uploadId: 'id', initiated: new Date(0) }],
    });
    expect(xml).toContain('<Prefix>a&lt;&amp;</Prefix>');
    expect(xml).toContain('<KeyMarker>m&quot;&#xD;</KeyMarker>');
    expect(xml).toContain('<Key>a&lt;&amp;&apos;&gt;&#x1;</Key>');
  });
});

describe('element count before parsing', () => {
  /**
   * Runs `fn` with fast-xml-parser's entries (the validator xml.ts calls first, then the parser) spied on: returns
   * the S3 error code and how often each was called. A refusal by count must call neither, whatever parsing costs.
   */
  function refusalWithParserSpied(fn: () => unknown): { code: string; validated: number; parsed: number } {
    const validate = jest.spyOn(XMLValidator, 'validate');
    const parse = jest.spyOn(XMLParser.prototype, 'parse');
    try {
      const code = s3ErrorOf(fn).code;
      // The spies are live: a small well-formed body reaches both.
      parseDeleteObjects('<Delete><Object><Key>k</Key></Object></Delete>');
      const live = { validated: validate.mock.calls.length, parsed: parse.mock.calls.length };
      expect(live).toEqual({ validated: 1, parsed: 1 });
      return { code, validated: live.validated - 1, parsed: live.parsed - 1 };
    } finally {
      validate.mockRestore();
      parse.mockRestore();
    }
  }

  it('should refuse with MalformedXML before parsing when a DeleteObjects body under the size cap holds 180,000 tiny objects', () => {
    const body = `<Delete>${'<Object><Key/></Object>'.repeat(180_000)}</Delete>`;
    expect(Buffer.byteLength(body)).toBeLessThan(XML_BODY_LIMITS.deleteObjects);
    expect(refusalWithParserSpied(() => parseDeleteObjects(body))).toEqual({
      code: 'MalformedXML',
      validated: 0,
      parsed: 0,
    });
  });

  it('should accept 1,000 objects when the body also has a declaration, Quiet and escaped keys', () => {
    const body =
      `${DECL}<Delete ${NS}><Quiet>true</Quiet>` +
      Array.from({ length: MAX_DELETE_OBJECTS }, (_, i) => `<Object><Key>a&lt;${i}&gt;</Key></Object>`).join(
        '',
      ) +
      '</Delete>';
    const parsed = parseDeleteObjects(body);
    expect(parsed.keys).toHaveLength(MAX_DELETE_OBJECTS);
    expect(parsed.keys[999]).toBe('a<999>');
  });

  it('should refuse with MalformedXML before parsing when a CompleteMultipartUpload body under the size cap holds 500,000 empty parts', () => {
    const body = `<CompleteMultipartUpload>${'<Part/>'.repeat(500_000)}</CompleteMultipartUpload>`;
    expect(Buffer.byteLength(body)).toBeLessThan(XML_BODY_LIMITS.completeMultipartUpload);
    expect(refusalWithParserSpied(() => parseCompleteMultipartUpload(body))).toEqual({
      code: 'MalformedXML',
      validated: 0,
      parsed: 0,
    });
  });

  it('should refuse with MalformedXML when a CompleteMultipartUpload body holds 20,000 parts', () => {
    const part = '<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>';
    const body = `<CompleteMultipartUpload>${part.repeat(2 * MAX_PART_NUMBER)}</CompleteMultipartUpload>`;
    expect(s3ErrorOf(() => parseCompleteMultipartUpload(body)).code).toBe('MalformedXML');
  });

  it('should accept 10,000 parts when each carries two checksums and the body a declaration', () => {
    const body =
      `${DECL}<CompleteMultipartUpload ${NS}>` +
      Array.from(
        { length: MAX_PART_NUMBER },
        (_, i) =>
          `<Part><PartNumber>${i + 1}</PartNumber><ETag>"e"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32>` +
          `<ChecksumSHA1>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</ChecksumSHA1></Part>`,
      ).join('') +
      '</CompleteMultipartUpload>';
    expect(parseCompleteMultipartUpload(body)).toHaveLength(MAX_PART_NUMBER);
  });
});
