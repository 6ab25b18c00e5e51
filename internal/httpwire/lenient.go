package httpwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
)

// The lenient reading of a body: Infobip ignores body fields it does not
// know, and clients written for it send them (typos such as "summarry",
// fields of later API versions). dropUnknown removes every key the wire
// type does not name, at any depth the type describes, before the strict
// reading runs over what is left; so the known fields are checked exactly
// as in strict mode (types, sizes, a key given twice), and an unknown key is
// never folded into a known one by case, as encoding/json would. A value
// that is dropped is not read beyond being JSON; an unknown key given twice
// in one object is still refused, since which of the two was meant cannot be
// told.

// dropUnknown returns body without the keys type t does not name. A body
// that is no JSON object is returned as it is, for the strict reading to
// refuse with its usual message; an object that is not valid JSON is
// ErrInvalid naming "body".
func dropUnknown(body []byte, t reflect.Type) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return body, nil
	}
	p := pruner{dec: dec, body: body}
	obj, err := p.object(unwrap(t), "")
	if err != nil {
		var refusal *pruneRefusal
		if errors.As(err, &refusal) {
			return nil, refusal.err
		}
		return nil, Invalid("body", "not valid JSON")
	}
	// Whatever follows the object is kept, for the strict reading to refuse.
	return append(obj, body[dec.InputOffset():]...), nil
}

// pruner walks a document with its byte offsets, to copy the kept members
// verbatim.
type pruner struct {
	dec  *json.Decoder
	body []byte
}

// pruneRefusal is an error of the request (as opposed to invalid JSON,
// which is left to the strict reading).
type pruneRefusal struct{ err error }

func (e *pruneRefusal) Error() string { return e.err.Error() }

// object rewrites an object whose '{' has been read, keeping the keys
// struct type t names.
func (p *pruner) object(t reflect.Type, path string) ([]byte, error) {
	fields := jsonFields(t)
	seen := map[string]bool{}
	out := []byte{'{'}
	for p.dec.More() {
		start := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		keyRaw := trimSeparators(p.body[start:p.dec.InputOffset()])
		ft, known := fields[key]
		if !known && seen[key] && key != "" {
			return nil, &pruneRefusal{Invalid(path+key, "given more than once")}
		}
		seen[key] = true
		val, err := p.value(known, ft, path+key+".")
		if err != nil {
			return nil, err
		}
		if !known {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, keyRaw...)
		out = append(out, ':')
		out = append(out, val...)
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, err
	}
	return append(out, '}'), nil
}

// array rewrites an array whose '[' has been read, of elements of type elem.
func (p *pruner) array(elem reflect.Type, path string) ([]byte, error) {
	out := []byte{'['}
	prefix := strings.TrimSuffix(path, ".")
	for i := 0; p.dec.More(); i++ {
		val, err := p.value(true, elem, prefix+"["+strconv.Itoa(i)+"].")
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, val...)
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, err
	}
	return append(out, ']'), nil
}

// value reads the next value: rewritten when it is an object or array that
// type t describes and keep is set, else copied (or skipped) as it is.
func (p *pruner) value(keep bool, t reflect.Type, path string) ([]byte, error) {
	start := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	if keep {
		t = unwrap(t)
		switch {
		case tok == json.Delim('{') && t.Kind() == reflect.Struct:
			return p.object(t, path)
		case tok == json.Delim('[') && t.Kind() == reflect.Slice:
			return p.array(t.Elem(), path)
		}
	}
	if tok == json.Delim('{') || tok == json.Delim('[') {
		// A value kept as it is, or dropped, is still read to its end with
		// a key given twice refused at every depth inside it, naming its
		// path, as the strict reading refuses it.
		if err := skipRest(p.dec, tok, path); err != nil {
			var fe *parley.FieldError
			if errors.As(err, &fe) && fe.Field != "body" {
				return nil, &pruneRefusal{err}
			}
			return nil, err
		}
	}
	return trimSeparators(p.body[start:p.dec.InputOffset()]), nil
}

// trimSeparators drops the white space, ',' and ':' the decoder's offset
// leaves before a token.
func trimSeparators(b []byte) []byte {
	return bytes.TrimLeft(b, " \t\r\n,:")
}
