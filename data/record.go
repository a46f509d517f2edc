package data

// Sealed records, format 2 (schema 4 on): how a row's health data is encoded, padded and
// sealed, and what the seal is bound to. docs/SECURITY.md describes the same for readers.
//
// A record is a short binary encoding of the row's sealed fields (recWriter), padded to a
// size bucket so that a blob's length does not tell "Nausea" from "Headache", then sealed
// with AES-256-GCM. The associated data names the table, the row's id, the record format
// and every clear column of the row whose change would change what the app shows or does
// (its kind, times, flags, links to other rows, sync state). An edit of any of them behind
// the app's back, or a blob moved to another row, fails authentication and is reported as
// damage like a flipped byte; changing a flag therefore re-seals the record.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/patient-companion/companion/data/vault"
)

// recordFormat is the format every record is written in. Format 1 (JSON, bound to table and
// id only) is read only by the migration to schema 4, which re-seals every record; after it a
// format-1 row is damage, never data.
const (
	recordFormat = 2
	legacyFormat = 1
)

// cols are the clear columns of one row that its record is bound to, in the table's fixed
// order.
type cols []col

// col is one bound column's value: an integer, a text, or NULL. (A struct, not an interface:
// boxing five integers per row was a tenth of reading the journal.)
type col struct {
	s    string
	i    int64
	kind byte // 'i', 's' or 'n'
}

func ival(v int64) col  { return col{i: v, kind: 'i'} }
func sval(v string) col { return col{s: v, kind: 's'} }

// nullCol is a NULL column.
var nullCol = col{kind: 'n'}

// aadV2 is the associated data of a format-2 record. Every value is typed and
// length-prefixed, so no two different rows can encode to the same bytes.
func aadV2(table, id string, bound cols) []byte {
	b := make([]byte, 0, 64+len(id)+16*len(bound))
	b = append(b, "patient-companion/record/v2|"...)
	b = appendString(b, table)
	b = appendString(b, id)
	b = binary.AppendUvarint(b, recordFormat)
	for _, v := range bound {
		b = append(b, v.kind)
		switch v.kind {
		case 'i':
			b = binary.BigEndian.AppendUint64(b, uint64(v.i))
		case 's':
			b = appendString(b, v.s)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// aadV1 is the associated data of a format-1 record (schemas 1–3).
func aadV1(table, id string) []byte {
	return []byte("patient-companion/record/v1|" + table + "|" + id + "|" + strconv.Itoa(legacyFormat))
}

// sealRecord pads a record's plaintext and seals it for one row. The plaintext is cleared.
func (s *Store) sealRecord(table, id string, bound cols, pt []byte) ([]byte, error) {
	padded := pad(pt)
	clear(pt)
	defer clear(padded)
	return s.key.Seal(aadV2(table, id, bound), padded)
}

// openRecord authenticates one row's blob against its id and clear columns and returns the
// record's plaintext, unpadded. Every failure that is not a closed store is errTampered: a
// blob that fails authentication, a format this schema never writes (format 1 survives the
// migration only where its blob was already damaged), or padding that is not ours.
func (s *Store) openRecord(table, id string, format int, bound cols, blob []byte) ([]byte, error) {
	if format != recordFormat {
		return nil, errTampered
	}
	pt, err := s.key.Open(aadV2(table, id, bound), blob)
	if err != nil {
		if errors.Is(err, vault.ErrTampered) {
			return nil, errTampered
		}
		return nil, err
	}
	out, ok := unpad(pt)
	if !ok {
		clear(pt)
		return nil, errTampered
	}
	return out, nil
}

// Padding: the plaintext, then 0x80, then zeros up to the bucket (ISO/IEC 7816-4). Buckets
// are powers of two from 64 bytes to 4 KiB, then whole multiples of 4 KiB: every symptom
// name and short note seals to the same 64 + 28 bytes.
const (
	minBucket  = 64
	pageBucket = 4096
)

func bucket(n int) int {
	if n > pageBucket {
		return (n + pageBucket - 1) / pageBucket * pageBucket
	}
	b := minBucket
	for b < n {
		b <<= 1
	}
	return b
}

func pad(pt []byte) []byte {
	out := make([]byte, bucket(len(pt)+1))
	copy(out, pt)
	out[len(pt)] = 0x80
	return out
}

func unpad(b []byte) ([]byte, bool) {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case 0:
			continue
		case 0x80:
			return b[:i], true
		}
		return nil, false
	}
	return nil, false
}

// recWriter encodes a record: a sequence of fields, each a tag byte, a length (uvarint) and
// that many bytes. Readers refuse a tag they do not know (a newer format), so a field is
// never silently dropped.
type recWriter struct{ b []byte }

func (w *recWriter) field(tag byte, v []byte) {
	w.b = append(w.b, tag)
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}

// str writes s unless it is empty.
func (w *recWriter) str(tag byte, s string) {
	if s != "" {
		w.b = append(w.b, tag)
		w.b = binary.AppendUvarint(w.b, uint64(len(s)))
		w.b = append(w.b, s...)
	}
}

// int writes v unless it is 0.
func (w *recWriter) int(tag byte, v int64) {
	if v != 0 {
		w.intAlways(tag, v)
	}
}

// intAlways writes v even when it is 0 (a severity of 0 is not no severity).
func (w *recWriter) intAlways(tag byte, v int64) {
	var buf [binary.MaxVarintLen64]byte
	w.field(tag, buf[:binary.PutVarint(buf[:], v)])
}

func (w *recWriter) flag(tag byte, v bool) {
	if v {
		w.field(tag, nil)
	}
}

// ints writes a list of small integers (times of day, weekdays) unless it is empty.
func (w *recWriter) ints(tag byte, vs []int) {
	if len(vs) == 0 {
		return
	}
	var body []byte
	for _, v := range vs {
		body = binary.AppendVarint(body, int64(v))
	}
	w.field(tag, body)
}

// recReader decodes what recWriter wrote. Use: for r.next() { switch r.tag { … default:
// r.unknown() } }; then r.err.
type recReader struct {
	b   []byte
	tag byte
	val []byte
	err error
}

func (r *recReader) next() bool {
	if r.err != nil || len(r.b) == 0 {
		return false
	}
	tag := r.b[0]
	n, k := binary.Uvarint(r.b[1:])
	if k <= 0 || n > uint64(len(r.b)-1-k) {
		r.err = errors.New("truncated field")
		return false
	}
	r.tag, r.val, r.b = tag, r.b[1+k:1+k+int(n)], r.b[1+k+int(n):]
	return true
}

func (r *recReader) str() string {
	if !utf8.Valid(r.val) {
		r.fail("field %d is not UTF-8", r.tag)
	}
	return string(r.val)
}

func (r *recReader) int() int64 {
	v, k := binary.Varint(r.val)
	if k != len(r.val) || k == 0 {
		r.fail("field %d is not a number", r.tag)
		return 0
	}
	return v
}

// small is int for values that must fit an int32 (counts, minutes, weekdays).
func (r *recReader) small() int {
	v := r.int()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail("field %d is out of range", r.tag)
		return 0
	}
	return int(v)
}

func (r *recReader) ints() []int {
	var out []int
	for b := r.val; len(b) > 0; {
		v, k := binary.Varint(b)
		if k <= 0 || v < math.MinInt32 || v > math.MaxInt32 {
			r.fail("field %d is not a list of numbers", r.tag)
			return nil
		}
		out = append(out, int(v))
		b = b[k:]
	}
	return out
}

func (r *recReader) unknown() { r.fail("unknown field %d", r.tag) }

func (r *recReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}
