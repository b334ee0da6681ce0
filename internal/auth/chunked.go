package auth

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	// maxChunkLine bounds a chunk header or trailer line, so a hostile body
	// cannot make the reader buffer without limit.
	maxChunkLine = 4096
	// maxTrailerBytes bounds the whole trailer section.
	maxTrailerBytes = 16 << 10
)

// IsChunked reports whether r's body uses aws-chunked framing: S3 clients
// announce it with a STREAMING-* X-Amz-Content-Sha256 and/or
// Content-Encoding: aws-chunked.
func IsChunked(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return true
	}
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, enc := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(enc), "aws-chunked") {
				return true
			}
		}
	}
	return false
}

// ChunkedReader decodes an aws-chunked body: chunks "hex-size[;chunk-
// signature=sig]\r\n<data>\r\n", a zero-size final chunk, then optional
// trailer lines and a closing blank line. It handles the signed
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) and unsigned
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER) forms alike.
//
// A chunk's signature is only known to be right once the whole chunk has
// been read, so a failure surfaces after its data was returned: consumers
// must not commit what they read until Read returns io.EOF.
type ChunkedReader struct {
	br        *bufio.Reader
	remaining int64 // data bytes left in the current chunk
	inChunk   bool
	err       error // sticky: io.EOF once the body is complete
	decoded   int64
	expected  int64 // x-amz-decoded-content-length, -1 if unknown
	trailer   http.Header
	verifier  *chunkVerifier
}

// NewChunkedReader decodes body without checking chunk signatures.
func NewChunkedReader(body io.Reader) *ChunkedReader {
	return &ChunkedReader{br: bufio.NewReaderSize(body, 32<<10), expected: -1}
}

// ChunkedBody prepares the decoder for r when IsChunked(r): it reads
// x-amz-decoded-content-length and, when sig and secret are given and the
// payload is signed, checks every chunk signature against the seed
// signature. ok is false for bodies that are not aws-chunked.
func ChunkedBody(r *http.Request, sig *Signature, secret string) (cr *ChunkedReader, ok bool, err error) {
	if !IsChunked(r) {
		return nil, false, nil
	}
	cr = NewChunkedReader(r.Body)
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, true, chunkError("x-amz-decoded-content-length is not a valid length: " + v)
		}
		cr.ExpectLength(n)
	}
	if sig != nil && secret != "" {
		cr.VerifyChunks(sig, secret)
	}
	return cr, true, nil
}

// ExpectLength makes the reader fail unless exactly n bytes are decoded
// (x-amz-decoded-content-length).
func (c *ChunkedReader) ExpectLength(n int64) *ChunkedReader {
	c.expected = n
	return c
}

// VerifyChunks turns on chunk-signature checking for a request whose
// X-Amz-Content-Sha256 is STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER];
// the chain starts from the request's own (seed) signature. For unsigned
// streaming modes it does nothing.
func (c *ChunkedReader) VerifyChunks(sig *Signature, secret string) *ChunkedReader {
	if sig == nil || (sig.PayloadHash != StreamingPayload && sig.PayloadHash != StreamingPayloadTrailer) {
		return c
	}
	c.verifier = &chunkVerifier{
		key:     SigningKey(secret, sig.scopeDate, sig.Region, sig.Service),
		prefix:  sig.Date.Format(amzDateLayout) + "\n" + sig.CredentialScope() + "\n",
		prev:    sig.Signature,
		hash:    sha256.New(),
		trailer: sig.PayloadHash == StreamingPayloadTrailer,
	}
	return c
}

// Trailer returns the trailing headers (x-amz-checksum-*, ...) once Read
// has returned io.EOF; x-amz-trailer-signature is consumed, not exposed.
func (c *ChunkedReader) Trailer() http.Header { return c.trailer }

// DecodedLength is the number of payload bytes decoded so far.
func (c *ChunkedReader) DecodedLength() int64 { return c.decoded }

// Read implements io.Reader over the decoded payload.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if !c.inChunk {
		if c.err = c.nextChunk(); c.err != nil {
			return 0, c.err
		}
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.consumed(p[:n])
	if err != nil && c.remaining > 0 {
		c.err = truncated(err)
		return n, c.err
	}
	if c.remaining == 0 {
		c.err = c.endChunk()
	}
	return n, nil
}

func (c *ChunkedReader) consumed(b []byte) {
	c.remaining -= int64(len(b))
	c.decoded += int64(len(b))
	if c.verifier != nil {
		c.verifier.hash.Write(b)
	}
}

// nextChunk reads a chunk header; the zero-size chunk ends the data and
// leads into the trailer section.
func (c *ChunkedReader) nextChunk() error {
	line, err := c.mustReadLine()
	if err != nil {
		return err
	}
	size, chunkSig, err := parseChunkHeader(line)
	if err != nil {
		return err
	}
	if c.expected >= 0 && c.decoded+size > c.expected {
		return chunkError("decoded body is longer than x-amz-decoded-content-length")
	}
	if c.verifier != nil {
		c.verifier.claimed = chunkSig
	}
	if size > 0 {
		c.remaining, c.inChunk = size, true
		return nil
	}
	if err := c.verifyChunk(); err != nil {
		return err
	}
	return c.finish()
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (c *ChunkedReader) endChunk() error {
	c.inChunk = false
	line, err := c.mustReadLine()
	if err != nil {
		return err
	}
	if len(line) != 0 {
		return chunkError("chunk data is not followed by CRLF")
	}
	return c.verifyChunk()
}

func (c *ChunkedReader) verifyChunk() error {
	if c.verifier == nil {
		return nil
	}
	return c.verifier.chunk()
}

// finish reads the trailer section and checks the decoded length; it
// returns io.EOF on success so Read reports the end of the body.
func (c *ChunkedReader) finish() error {
	if err := c.readTrailers(); err != nil {
		return err
	}
	if c.expected >= 0 && c.decoded != c.expected {
		return chunkError("decoded body length does not match x-amz-decoded-content-length")
	}
	return io.EOF
}

// readTrailers reads "name:value" lines up to the blank line. Encoders
// disagree on the framing around the trailer section, so it accepts: a body
// that ends right after the final chunk; the AWS examples' extra CRLF that
// closes the zero-size chunk before the trailers; a missing closing blank
// line; and LF-only trailer lines.
func (c *ChunkedReader) readTrailers() error {
	c.trailer = http.Header{}
	var canonical strings.Builder
	var trailerSig string
	total := 0
	for first := true; ; first = false {
		line, err := c.readLine(true)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(line) == 0 {
			if first && !c.atEOF() {
				continue
			}
			break
		}
		if total += len(line); total > maxTrailerBytes {
			return chunkError("trailer section too large")
		}
		name, value, ok := strings.Cut(string(line), ":")
		if !ok {
			return chunkError("malformed trailer line")
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if name == "x-amz-trailer-signature" {
			trailerSig = value
			continue
		}
		c.trailer.Add(name, value)
		canonical.WriteString(name + ":" + value + "\n")
	}
	if c.verifier != nil && c.verifier.trailer {
		return c.verifier.trailerSignature(canonical.String(), trailerSig)
	}
	return nil
}

func (c *ChunkedReader) atEOF() bool {
	_, err := c.br.Peek(1)
	return err != nil
}

// readLine returns one line without its terminator, which must be CRLF
// unless lenient. It returns io.EOF only when the body ends exactly at a
// line boundary.
func (c *ChunkedReader) readLine(lenient bool) ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > maxChunkLine:
		return nil, chunkError("chunk header line too long")
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err != nil:
		return nil, truncated(err)
	}
	if bytes.HasSuffix(line, []byte("\r\n")) {
		return line[:len(line)-2], nil
	}
	if !lenient {
		return nil, chunkError("chunk line is not terminated by CRLF")
	}
	return line[:len(line)-1], nil
}

// mustReadLine is readLine where the body may not end yet.
func (c *ChunkedReader) mustReadLine() ([]byte, error) {
	line, err := c.readLine(false)
	if err == io.EOF {
		return nil, truncated(err)
	}
	return line, err
}

// parseChunkHeader splits "hex-size[;chunk-signature=sig][;ext...]".
func parseChunkHeader(line []byte) (size int64, sig string, err error) {
	s := string(line)
	sizePart, exts, _ := strings.Cut(s, ";")
	size, perr := strconv.ParseInt(strings.TrimSpace(sizePart), 16, 64)
	if perr != nil || size < 0 {
		return 0, "", chunkError("invalid chunk size: " + strconvQuote(sizePart))
	}
	for exts != "" {
		var ext string
		ext, exts, _ = strings.Cut(exts, ";")
		if k, v, ok := strings.Cut(ext, "="); ok && strings.TrimSpace(k) == "chunk-signature" {
			sig = strings.TrimSpace(v)
		}
	}
	return size, sig, nil
}

func strconvQuote(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strconv.Quote(s)
}

// chunkVerifier holds the running state of the chunk-signature chain: each
// signature covers the previous one, so chunks cannot be reordered or
// dropped.
type chunkVerifier struct {
	key     []byte
	prefix  string // "timestamp\nscope\n"
	prev    string
	claimed string
	hash    hash.Hash
	trailer bool // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
}

// chunk checks the signature of the chunk just read:
// HMAC(key, "AWS4-HMAC-SHA256-PAYLOAD\n" + timestamp + scope + previous
// signature + hash("") + hash(chunk data)).
func (v *chunkVerifier) chunk() error {
	sum := hex.EncodeToString(v.hash.Sum(nil))
	v.hash.Reset()
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + v.prefix + v.prev + "\n" + emptySHA256 + "\n" + sum
	return v.check(sts, v.claimed)
}

// trailerSignature checks x-amz-trailer-signature: HMAC(key,
// "AWS4-HMAC-SHA256-TRAILER\n" + timestamp + scope + final chunk signature
// + hash of the trailer lines as "name:value\n").
func (v *chunkVerifier) trailerSignature(canonical, claimed string) error {
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + v.prefix + v.prev + "\n" + sha256Hex([]byte(canonical))
	return v.check(sts, claimed)
}

func (v *chunkVerifier) check(sts, claimed string) error {
	want := hmacSHA256(v.key, sts)
	got, err := hex.DecodeString(claimed)
	if err != nil || !hmac.Equal(got, want) {
		e := mismatch("s3", "", sts)
		e.Message = "The chunk signature we calculated does not match the signature you provided."
		return e
	}
	v.prev = claimed
	return nil
}

func chunkError(msg string) *Error {
	return &Error{Kind: KindChunkMalformed, Code: "IncompleteBody", Status: http.StatusBadRequest,
		Service: "s3", Message: msg}
}

func truncated(err error) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return chunkError("The request body terminated unexpectedly")
	}
	return err
}

// DecodeChunked decodes a whole aws-chunked body held in memory, without
// signature checks, returning the payload and the trailers.
func DecodeChunked(body []byte) ([]byte, http.Header, error) {
	cr := NewChunkedReader(bytes.NewReader(body))
	data, err := io.ReadAll(cr)
	if err != nil {
		return nil, nil, err
	}
	return data, cr.Trailer(), nil
}
