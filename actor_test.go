package parley_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
)

// notOperations are exported methods of Service that are no operation and
// need no scope: they take no context, hence no actor, and read or write
// nothing themselves.
var notOperations = map[string]bool{"Subscribe": true, "WithStore": true}

// TestEveryOperationHasAScope walks the exported methods of Service: each
// must have a scope in parley's table, so that an operation added without a
// scope fails the build's tests. (The service suite's
// Authorization/EveryOperationHasACase fails until it has a case there too.)
func TestEveryOperationHasAScope(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeOf(&parley.Service{})
	require.Positive(t, typ.NumMethod())
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if notOperations[name] {
			continue
		}
		_, ok := parley.OperationScope(name)
		require.True(t, ok, "Service.%s has no entry in the operation scopes", name)
	}
	for _, name := range []string{"", "New", "authorize", "change", "WithActor", "getconversation"} {
		_, ok := parley.OperationScope(name)
		require.False(t, ok, "%q is no operation", name)
	}
}

// TestScopeComesFirst calls every operation with zero-valued (invalid)
// input and no scopes: authorisation is checked before anything else, so
// the answer is ErrForbidden, not ErrInvalid.
func TestScopeComesFirst(t *testing.T) {
	t.Parallel()
	svc := parley.New(memstore.New(), parley.WithAuthorization())
	v := reflect.ValueOf(svc)
	ctx := reflect.ValueOf(context.Background())
	errType := reflect.TypeFor[error]()
	for i := range v.NumMethod() {
		m := v.Type().Method(i)
		if notOperations[m.Name] {
			continue
		}
		mt := m.Type
		args := []reflect.Value{ctx}
		for j := 2; j < mt.NumIn(); j++ {
			args = append(args, reflect.Zero(mt.In(j)))
		}
		call := v.Method(i).Call
		if mt.IsVariadic() {
			call = v.Method(i).CallSlice // the options, as a nil slice
		}
		out := call(args)
		last := out[len(out)-1]
		require.True(t, last.Type().Implements(errType) || last.Type() == errType, "%s returns an error last", m.Name)
		err, _ := last.Interface().(error)
		require.ErrorIs(t, err, parley.ErrForbidden, "Service.%s with bad input and no scope", m.Name)
	}
}

// LookupActor tells an actor set with WithActor, even the zero one, from
// none at all; ActorFrom reads both as the zero Actor.
func TestLookupActor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, ok := parley.LookupActor(ctx)
	require.False(t, ok)

	a, ok := parley.LookupActor(parley.WithActor(ctx, parley.Actor{}))
	require.True(t, ok)
	require.Equal(t, parley.Actor{}, a)

	ann := parley.Actor{AgentID: "ann", Scopes: []parley.Scope{parley.ScopeRead}}
	a, ok = parley.LookupActor(parley.WithActor(ctx, ann))
	require.True(t, ok)
	require.Equal(t, ann, a)
	require.Equal(t, ann, parley.ActorFrom(parley.WithActor(ctx, ann)))
}
