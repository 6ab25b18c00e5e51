package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// TestRoutesWithoutBodyRefuseOne sends each route of the table a body. In
// strict mode, a route that takes none (GETs, the DELETEs of a part, ...)
// answers 400 naming "body" for anything but white space, {} included,
// before it does anything; a route that takes one reads it, and names the
// unknown key. White space alone is no body: the request goes through. By
// default, neither the unknown key nor the body of a route that takes none
// is refused.
func TestRoutesWithoutBodyRefuseOne(t *testing.T) {
	t.Parallel()
	both := string(parley.ScopeRead) + "," + string(parley.ScopeWrite)
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			send := func(h http.Handler, body string) (int, map[string]any) {
				req := httptest.NewRequest(rt.method, pattern(DefaultBasePath, scopedPath(rt.path)), strings.NewReader(body))
				req.Header.Set("x-scopes", both)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				var m map[string]any
				if rec.Body.Len() > 0 && !strings.HasPrefix(rec.Body.String(), "[") { // a list of Infobip's is an array
					require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "%s", rec.Body)
				}
				return rec.Code, m
			}
			lenient := scopedHandler(t)
			code, m := send(lenient, `{"stray": 1}`)
			require.NotEqual(t, "stray", m["field"], "%v", m)
			require.NotEqual(t, "body", m["field"], "%v", m)
			require.NotEqual(t, http.StatusInternalServerError, code, "%v", m)

			h := scopedHandler(t, WithStrict())
			code, m = send(h, `{"stray": 1}`)
			require.Equal(t, http.StatusBadRequest, code, "%v", m)
			if rt.body == jsonBody {
				require.Equal(t, "stray", m["field"], "%v", m)
				return
			}
			require.Equal(t, "body", m["field"], "%v", m)
			require.Contains(t, m["message"], "takes no body")
			for _, body := range []string{`{}`, `null`, `x`, strings.Repeat(" ", MaxBodyBytes) + "x"} {
				code, m := send(h, body)
				require.Equal(t, http.StatusBadRequest, code, "%.20q: %v", body, m)
				require.Equal(t, "body", m["field"], "%.20q: %v", body, m)
			}
			code, m = send(h, " \n\t")
			require.Less(t, code, 300, "white space is no body: %v", m)
		})
	}
}
