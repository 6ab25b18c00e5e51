package httpapi

import (
	"net/http"
	"strconv"
	"strings"
)

// The version of a conversation travels in an ETag header, so that the
// answers Infobip keeps bare (SUCCESS bodies) need no parley field, and an
// If-Match header carries the version a client last saw.

// setETag sets the ETag of an answer about a conversation at version v.
func setETag(w http.ResponseWriter, v int64) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(v, 10)+`"`)
}

// ifMatchRoutes are the routes that honour If-Match: the changes whose
// service operation takes an expected version. Elsewhere the header is a
// 400, rather than a precondition silently not checked.
var ifMatchRoutes = map[string]bool{
	"PUT /conversations/{id}":   true,
	"PATCH /conversations/{id}": true,
}

// ifMatch merges the If-Match header with the body's version (0 when the
// body has none): either may be given, or both when they agree. The header
// is one ETag, "N" (W/"N" and a bare N are taken too); "*" or a list is a
// 400 naming If-Match.
func ifMatch(r *http.Request, body int64) (int64, error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return body, nil
	}
	if len(values) > 1 {
		return 0, invalid("If-Match", "given more than once")
	}
	tag := strings.TrimPrefix(strings.TrimSpace(values[0]), "W/")
	tag = strings.TrimSuffix(strings.TrimPrefix(tag, `"`), `"`)
	v, err := strconv.ParseInt(tag, 10, 64)
	if err != nil || v < 1 {
		return 0, invalid("If-Match", `must be the ETag of a conversation, such as "3", not %q`, values[0])
	}
	if body != 0 && body != v {
		return 0, invalid("If-Match", "says version %d, the body's version %d", v, body)
	}
	return v, nil
}
