package routing

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSlotHeap runs random pushes, removals and key changes (up and down) on
// the Picker's heap and checks the heap order and every slot's index after
// each one: the Picker's own tests rarely move a slot up.
func TestSlotHeap(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 0x68656170))
		h := slotHeap{less: func(a, b *slot) bool {
			if a.load != b.load {
				return a.load < b.load
			}
			return a.agent.ID < b.agent.ID
		}}
		for i := range rng.IntN(40) {
			h.slots = append(h.slots, &slot{agent: &Agent{ID: fmt.Sprint(i)}, load: rng.IntN(10), index: i})
		}
		h.init()
		checkHeap(t, &h, seed)
		next := len(h.slots)
		for range 200 {
			switch op := rng.IntN(3); {
			case op == 0 || len(h.slots) == 0:
				h.push(&slot{agent: &Agent{ID: fmt.Sprint(next)}, load: rng.IntN(10)})
				next++
			case op == 1:
				h.remove(rng.IntN(len(h.slots)))
			default:
				s := h.slots[rng.IntN(len(h.slots))]
				s.load = rng.IntN(10)
				h.fix(s.index)
			}
			checkHeap(t, &h, seed)
		}
		// Popping yields the slots in order.
		var prev *slot
		for len(h.slots) > 0 {
			top := h.slots[0]
			if prev != nil {
				require.False(t, h.less(top, prev), "seed %d: popped out of order", seed)
			}
			h.remove(0)
			prev = top
		}
	}
}

func checkHeap(t *testing.T, h *slotHeap, seed uint64) {
	t.Helper()
	for i, s := range h.slots {
		require.Equal(t, i, s.index, "seed %d: slot index", seed)
		if i > 0 {
			require.False(t, h.less(s, h.slots[(i-1)/2]), "seed %d: slot %d before its parent", seed, i)
		}
	}
}
