package wake

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSignalsCoalesceAndNeverBlock(t *testing.T) {
	t.Parallel()
	var b Broadcast
	b.Signal() // no listener: nothing to do
	ctx, cancel := context.WithCancel(t.Context())
	ch := b.Listen(ctx)
	other := b.Listen(t.Context())
	for range 3 {
		b.Signal() // the listeners are not reading: coalesced, not blocking
	}
	<-ch
	<-other
	select {
	case <-ch:
		t.Fatal("three signals sent while full make one")
	default:
	}
	cancel()
	_, open := <-ch
	require.False(t, open, "closed once its context ends")
	b.Signal() // the closed listener is gone: no send on a closed channel
	<-other
}
