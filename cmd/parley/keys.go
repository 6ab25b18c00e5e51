package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/httpapi"
)

// API keys: who may call the server, the agent each acts as, and its
// scopes. The file -api-keys names holds a JSON array:
//
//	[{"key": "…", "agentId": "ann", "scopes": ["read:conversations", "write:conversations"]}]
//
// agentId is optional. A request carries its key as "Authorization: App
// KEY" (Infobip's scheme) or "Authorization: Bearer KEY". Only the keys'
// SHA-256 digests are kept, and a presented key is compared with every one
// of them in constant time, so neither which key matched nor how much of
// one did shows in the time an answer takes. Keys are never logged, nor
// named in an error: a bad entry of the file is named by its position.

// minKeyLen is the shortest key the file may hold: a guessable key is no
// key.
const minKeyLen = 16

// keyEntry is one entry of the keys file.
type keyEntry struct {
	Key     string   `json:"key"`
	AgentID string   `json:"agentId"`
	Scopes  []string `json:"scopes"`
}

// apiKey is a key as the server keeps it.
type apiKey struct {
	digest [sha256.Size]byte
	actor  parley.Actor
}

// keyring is the server's keys.
type keyring struct {
	keys []apiKey
}

// loadKeys reads the keys file at path. Every entry needs a key of at least
// 16 characters, printable and without spaces, not given twice, and known
// scopes; an agentId, when given, is an id.
func loadKeys(path string) (*keyring, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("api keys: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var entries []keyEntry
	if err := dec.Decode(&entries); err != nil {
		// The decoder's message may quote the file; say where instead.
		return nil, fmt.Errorf("api keys: %s: not a JSON array of {\"key\", \"agentId\", \"scopes\"} objects", path)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("api keys: %s: no keys", path)
	}
	kr := &keyring{}
	seen := map[[sha256.Size]byte]bool{}
	for i, e := range entries {
		where := fmt.Sprintf("api keys: %s: entry %d", path, i+1)
		if len(e.Key) < minKeyLen || strings.ContainsFunc(e.Key, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
			return nil, fmt.Errorf("%s: the key must be at least %d printable characters without spaces", where, minKeyLen)
		}
		digest := sha256.Sum256([]byte(e.Key))
		if seen[digest] {
			return nil, fmt.Errorf("%s: the same key as an earlier entry", where)
		}
		seen[digest] = true
		if e.AgentID != "" {
			if err := fault.Identifier("agentId", e.AgentID, conversation.MaxIDLen); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		actor := parley.Actor{AgentID: e.AgentID}
		for _, s := range e.Scopes {
			switch sc := parley.Scope(s); sc {
			case parley.ScopeRead, parley.ScopeWrite:
				actor.Scopes = append(actor.Scopes, sc)
			default:
				return nil, fmt.Errorf("%s: unknown scope %q (want %s or %s)", where, s, parley.ScopeRead, parley.ScopeWrite)
			}
		}
		kr.keys = append(kr.keys, apiKey{digest: digest, actor: actor})
	}
	return kr, nil
}

// presentedKey reads the key of a request: "App KEY" or "Bearer KEY", the
// scheme in any case, the header once.
func presentedKey(r *http.Request) (string, bool) {
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return "", false
	}
	scheme, key, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "App") && !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	return key, key != ""
}

// actor is the adapters' ActorFunc: a request without a valid key is
// ErrUnauthenticated (401). A key acts as its agent; x-agent-id may repeat
// that agent but not name another (403). A key without an agent is trusted
// to speak for the agents, as Infobip's account keys are: x-agent-id, when
// given, names the agent acting.
func (kr *keyring) actor(r *http.Request) (parley.Actor, error) {
	key, ok := presentedKey(r)
	if !ok {
		return parley.Actor{}, fmt.Errorf("an API key is required (Authorization: Bearer KEY, or App KEY): %w", httpapi.ErrUnauthenticated)
	}
	digest := sha256.Sum256([]byte(key))
	found := -1
	for i := range kr.keys {
		// Every key is compared, matched or not: the time taken says
		// nothing about which one matched.
		if subtle.ConstantTimeCompare(digest[:], kr.keys[i].digest[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return parley.Actor{}, fmt.Errorf("the API key is not valid: %w", httpapi.ErrUnauthenticated)
	}
	k := kr.keys[found]
	named, err := httpapi.HeaderActor(r)
	if err != nil {
		return parley.Actor{}, err
	}
	actor := parley.Actor{AgentID: k.actor.AgentID, Scopes: append([]parley.Scope(nil), k.actor.Scopes...)}
	switch {
	case named.AgentID == "" || named.AgentID == actor.AgentID:
	case actor.AgentID == "":
		actor.AgentID = named.AgentID
	default:
		return parley.Actor{}, fmt.Errorf("this API key acts as agent %q, not %q: %w", actor.AgentID, named.AgentID, parley.ErrForbidden)
	}
	return actor, nil
}
