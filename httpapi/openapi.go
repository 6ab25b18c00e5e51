package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"net/http"
	"slices"
)

// openAPIDoc is the OpenAPI 3 description of every route. Its one server
// URL is the default base path; serverURL is that entry exactly, so that a
// handler with another base path can serve its own.
//
//go:embed openapi.json
var openAPIDoc []byte

const serverURL = `"url": "` + DefaultBasePath + `"`

// OpenAPI returns the OpenAPI 3 description of the API, the document served
// at GET {base}/openapi.json. Its paths are relative to its server URL, the
// default base path.
func OpenAPI() []byte { return slices.Clone(openAPIDoc) }

// openAPIFor is the description with base as its server URL.
func openAPIFor(base string) []byte {
	if base == DefaultBasePath {
		return openAPIDoc
	}
	if base == "" {
		base = "/"
	}
	url, _ := json.Marshal(base)
	return bytes.Replace(openAPIDoc, []byte(serverURL), append([]byte(`"url": `), url...), 1)
}

func (a *api) openAPI(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	return rawJSON(a.doc), nil
}
