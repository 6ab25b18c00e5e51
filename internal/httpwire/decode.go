package httpwire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// MaxBodyBytes is the largest request body an adapter reads; a larger one
// is a 400.
const MaxBodyBytes = 1 << 20

// Opt is a body field that may be absent, null or set. Set is true when the
// key was present at all; Null when its value was JSON null. It is how
// PATCH tells "leave as it is" (absent) from "clear" (null).
type Opt[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON implements json.Unmarshaler. encoding/json calls it for a
// present key even when the value is null.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		var zero T
		o.Value = zero
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// Given reports whether the field carries a value (present and not null).
func (o Opt[T]) Given() bool { return o.Set && !o.Null }

func (o Opt[T]) elemType() reflect.Type { return reflect.TypeFor[T]() }

// optional is implemented by every Opt[T]; the key checker looks through it.
type optional interface{ elemType() reflect.Type }

var optionalType = reflect.TypeFor[optional]()

// DecodeBody reads a JSON object from the request body into dst, a pointer
// to a wire struct. It is strict: a body over MaxBodyBytes, invalid JSON,
// anything but an object, an unknown or repeated key (matched exactly, not
// ignoring case as encoding/json would), a value of the wrong type, or data
// after the object are all ErrInvalid naming the field where there is one.
// An empty body reads as {}.
func DecodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeBody(w, r, dst, true)
}

// DecodeBodyLenient is DecodeBody but for unknown keys, which it ignores as
// Infobip does (see lenient.go).
func DecodeBodyLenient(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeBody(w, r, dst, false)
}

func decodeBody(w http.ResponseWriter, r *http.Request, dst any, strict bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return Invalid("body", "larger than %d bytes", MaxBodyBytes)
		}
		return Invalid("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly replace the bad bytes.
		return Invalid("body", "not valid UTF-8")
	}
	if loneSurrogate(body) {
		// The same for a \u escape of half a surrogate pair.
		return Invalid("body", "not valid UTF-8: a \\u escape of half a surrogate pair")
	}
	if !strict {
		if body, err = dropUnknown(body, reflect.TypeOf(dst).Elem()); err != nil {
			return err
		}
	}
	if err := checkKeys(body, reflect.TypeOf(dst).Elem()); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	return nil
}

// RefuseBody reads the body of a route that takes none: anything but white
// space is ErrInvalid naming "body", rather than a body silently ignored.
func RefuseBody(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case len(bytes.TrimSpace(body)) > 0 || errors.As(err, &tooBig):
		return Invalid("body", "this route takes no body")
	case err != nil:
		return Invalid("body", "could not be read")
	}
	return nil
}

// loneSurrogate reports whether a JSON string in body holds a \u escape
// of a UTF-16 surrogate that is not half of a pair, high then low: text
// that is no Unicode, which encoding/json would decode as U+FFFD.
func loneSurrogate(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == '"':
			inString = !inString
		case !inString || body[i] != '\\':
		case i+1 < len(body) && body[i+1] != 'u':
			i++ // a one-character escape, such as \" or \\
		default:
			r, ok := hexRune(body, i+2)
			switch {
			case !ok || r < 0xd800 || r > 0xdfff:
			case r >= 0xdc00:
				return true // a low surrogate first
			default:
				low, ok := hexRune(body, i+8)
				if !ok || i+7 >= len(body) || body[i+6] != '\\' || body[i+7] != 'u' || low < 0xdc00 || low > 0xdfff {
					return true
				}
				i += 6
			}
			i += 5
		}
	}
	return false
}

// hexRune reads the four hex digits at body[i:], as a \u escape holds.
func hexRune(body []byte, i int) (rune, bool) {
	if i < 0 || i+4 > len(body) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(body[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// decodeError turns an encoding/json error into an ErrInvalid that names
// the field.
func decodeError(err error) error {
	var fe *parley.FieldError
	if errors.As(err, &fe) {
		return err // a wire type's own UnmarshalJSON names the field
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return Invalid(field, "must be %s, not %s", jsonKind(typeErr.Type), typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return Invalid("body", "not valid JSON")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, uerr := strconv.Unquote(name)
		if uerr != nil {
			field = name
		}
		return Invalid(field, "unknown field")
	}
	return Invalid("body", "not valid JSON")
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "a valid value"
}

// checkKeys walks the JSON document beside the Go type it decodes into and
// fails on the first key that type does not name exactly, on a key given
// twice in one object, on a top-level value that is not an object, and on
// anything after it. It also catches syntax errors. Type mismatches are left
// to the decoder, which names them.
func checkKeys(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return Invalid("body", "not valid JSON")
	}
	if tok != json.Delim('{') {
		return Invalid("body", "must be a JSON object")
	}
	if err := checkObject(dec, t, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

// checkValue checks the value whose first token is tok against type t.
func checkValue(dec *json.Decoder, tok json.Token, t reflect.Type, path string) error {
	t = unwrap(t)
	switch tok {
	case json.Delim('{'):
		if t.Kind() == reflect.Struct {
			return checkObject(dec, t, path)
		}
	case json.Delim('['):
		if t.Kind() == reflect.Slice {
			return checkArray(dec, unwrap(t.Elem()), path)
		}
	default:
		return nil
	}
	return skipRest(dec, tok, path)
}

// checkObject checks the keys of an object whose '{' has been read.
func checkObject(dec *json.Decoder, t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Invalid("body", "not valid JSON")
		}
		key, _ := tok.(string)
		ft, ok := fields[key]
		if !ok && key == "" {
			// An empty key names no field: name the object that holds it.
			object := strings.TrimSuffix(path, ".")
			if object == "" {
				object = "body"
			}
			return Invalid(object, "has an empty key")
		}
		if !ok {
			return Invalid(path+key, "unknown field")
		}
		if seen[key] {
			return Invalid(path+key, "given more than once")
		}
		seen[key] = true
		val, err := dec.Token()
		if err != nil {
			return Invalid("body", "not valid JSON")
		}
		if err := checkValue(dec, val, ft, path+key+"."); err != nil {
			return err
		}
	}
	return closing(dec)
}

// checkArray checks the elements of an array whose '[' has been read.
func checkArray(dec *json.Decoder, elem reflect.Type, path string) error {
	prefix := strings.TrimSuffix(path, ".")
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return Invalid("body", "not valid JSON")
		}
		if err := checkValue(dec, tok, elem, prefix+"["+strconv.Itoa(i)+"]."); err != nil {
			return err
		}
	}
	return closing(dec)
}

// skipRest reads to the end of an object or array whose opening token,
// open, has been read, for a value whose shape no Go type describes (a
// map's, say). A key given twice in any object inside it is still
// ErrInvalid, naming the path: a duplicate is refused at every depth. It
// keeps a stack rather than recursing, and joins the path only to report
// one, so that a deeply nested body costs memory in proportion to its
// depth, not to its square.
func skipRest(dec *json.Decoder, open json.Token, path string) error {
	type level struct {
		object bool
		seen   map[string]bool
		index  int
		seg    string // this level's part of the path: "key." or "[i]."
	}
	stack := []*level{{object: open == json.Delim('{')}}
	at := func() string {
		b := path
		for _, l := range stack[1:] {
			if strings.HasPrefix(l.seg, "[") {
				b = strings.TrimSuffix(b, ".")
			}
			b += l.seg
		}
		return b
	}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		if !dec.More() {
			if err := closing(dec); err != nil {
				return err
			}
			stack = stack[:len(stack)-1]
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return Invalid("body", "not valid JSON")
		}
		var seg string
		if top.object {
			key, _ := tok.(string)
			if top.seen[key] {
				return Invalid(at()+key, "given more than once")
			}
			if top.seen == nil {
				top.seen = map[string]bool{}
			}
			top.seen[key] = true
			seg = key + "."
			if tok, err = dec.Token(); err != nil {
				return Invalid("body", "not valid JSON")
			}
		} else {
			seg = "[" + strconv.Itoa(top.index) + "]."
			top.index++
		}
		if tok == json.Delim('{') || tok == json.Delim('[') {
			stack = append(stack, &level{object: tok == json.Delim('{'), seg: seg})
		}
	}
	return nil
}

func closing(dec *json.Decoder) error {
	if _, err := dec.Token(); err != nil {
		return Invalid("body", "not valid JSON")
	}
	return nil
}

// unwrap looks through pointers and Opt.
func unwrap(t reflect.Type) reflect.Type {
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case reflect.PointerTo(t).Implements(optionalType):
			t = reflect.New(t).Interface().(optional).elemType()
		default:
			return t
		}
	}
}

// jsonFields maps the exact JSON names of struct t's fields to their
// types. (The wire types embed no structs.)
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// Invalid is the ErrInvalid of a request field or parameter.
func Invalid(field, format string, args ...any) error {
	return &parley.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// OneOf merges a field and its alias of the second vocabulary (subject for
// topic, say): at most one of them may be present.
func OneOf[T any](name string, v Opt[T], alias string, a Opt[T]) (Opt[T], error) {
	if v.Set && a.Set {
		return v, Invalid(alias, "cannot be given together with %s", name)
	}
	if a.Set {
		return a, nil
	}
	return v, nil
}
