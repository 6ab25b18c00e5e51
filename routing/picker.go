package routing

import "time"

// Picker places many conversations of one queue over one snapshot of its
// candidates, as AssignWaiting does when it drains a queue. Each Pick records
// its assignment (the agent's load grows by one and its last assignment
// becomes now) so that the next Pick sees it, and an agent that reaches its
// capacity is dropped. A Picker makes exactly the choices PickAgent would
// make over the updated candidates, in O(log n) per pick for n agents.
//
// Eligibility is decided from the snapshot: disabled, non-ACTIVE, non-member
// and full agents are left out when the Picker is built. Wrap-up is decided
// at each Pick, so an agent whose wrap-up ends while the queue drains starts
// getting conversations. The times given to Pick must not go backwards.
//
// A Picker never modifies the candidates or their agents. It is not safe for
// concurrent use.
type Picker struct {
	strategy Strategy
	sticky   bool
	ready    slotHeap         // eligible now, in the strategy's order
	resting  slotHeap         // in wrap-up, by the end of their wrap-up
	slots    map[string]*slot // every agent still in ready or resting, by id
}

// slot is the Picker's own record of one agent.
type slot struct {
	agent       *Agent
	load        int
	capacity    int
	last        time.Time // the last assignment, updated by Pick
	wrapUpUntil time.Time
	index       int // position in the heap that holds the slot
	resting     bool
}

// NewPicker builds a Picker for queue q over candidates (usually every member
// of q with its load). The queue's strategy and sticky setting are read once,
// here. Of candidates repeating an agent id, the first counts.
func NewPicker(q *Queue, candidates []Candidate) *Picker {
	if q == nil {
		return &Picker{}
	}
	p := &Picker{
		strategy: q.Strategy,
		sticky:   q.StickyAgent,
		slots:    make(map[string]*slot, len(candidates)),
	}
	p.ready.less = p.before
	p.ready.slots = make([]*slot, 0, len(candidates))
	p.resting.less = endsWrapUpFirst
	// One allocation for every slot; the heaps hold pointers into it.
	store := make([]slot, 0, len(candidates))
	for _, c := range candidates {
		// Wrap-up depends on the time of each Pick.
		if lastingIneligibility(q, c) != "" {
			continue
		}
		a := c.Agent
		if _, dup := p.slots[a.ID]; dup {
			continue
		}
		store = append(store, slot{
			agent:       a,
			load:        c.Load,
			capacity:    a.capacity(),
			last:        a.LastAssignedAt,
			wrapUpUntil: a.WrapUpUntil,
			resting:     !a.WrapUpUntil.IsZero(),
		})
		s := &store[len(store)-1]
		p.slots[a.ID] = s
		if s.resting {
			s.index = len(p.resting.slots)
			p.resting.slots = append(p.resting.slots, s)
		} else {
			s.index = len(p.ready.slots)
			p.ready.slots = append(p.ready.slots, s)
		}
	}
	p.ready.init()
	p.resting.init()
	return p
}

// Len is the number of agents that may still get conversations: those with
// room, in wrap-up or not.
func (p *Picker) Len() int { return len(p.slots) }

// Pick picks the agent for the next conversation at time now and records
// the assignment; false when no agent is eligible at now.
func (p *Picker) Pick(now time.Time) (Choice, bool) {
	return p.PickSticky(now, "")
}

// PickSticky is Pick for a conversation whose customer's previous agent is
// stickyAgentID ("" for none): on a sticky queue that agent wins when it is
// eligible at now, as in PickAgent.
func (p *Picker) PickSticky(now time.Time, stickyAgentID string) (Choice, bool) {
	p.endWrapUps(now)
	var s *slot
	sticky := false
	if p.sticky && stickyAgentID != "" {
		if cand := p.slots[stickyAgentID]; cand != nil && !cand.resting {
			s, sticky = cand, true
		}
	}
	if s == nil {
		if len(p.ready.slots) == 0 {
			return Choice{}, false
		}
		s = p.ready.slots[0]
	}
	choice := Choice{Agent: s.agent, Load: s.load, Sticky: sticky}
	s.load++
	s.last = now
	if s.load >= s.capacity {
		p.ready.remove(s.index)
		delete(p.slots, s.agent.ID)
	} else {
		p.ready.fix(s.index)
	}
	return choice, true
}

// Remove takes the agent out of the Picker, for instance when the store
// refused to assign it a conversation because another router filled it
// first. Removing an agent the Picker does not hold does nothing.
func (p *Picker) Remove(agentID string) {
	s := p.slots[agentID]
	if s == nil {
		return
	}
	if s.resting {
		p.resting.remove(s.index)
	} else {
		p.ready.remove(s.index)
	}
	delete(p.slots, agentID)
}

// endWrapUps moves the agents whose wrap-up is over at now to ready.
func (p *Picker) endWrapUps(now time.Time) {
	for len(p.resting.slots) > 0 {
		s := p.resting.slots[0]
		if s.wrapUpUntil.After(now) {
			return
		}
		p.resting.remove(0)
		s.resting = false
		p.ready.push(s)
	}
}

// before is the strategy's order on slots, the same as Strategy.Compare on
// the candidates they stand for.
func (p *Picker) before(a, b *slot) bool {
	if p.strategy != RoundRobin && a.load != b.load {
		return a.load < b.load
	}
	return compareRest(a.last, b.last, a.agent.ID, b.agent.ID) < 0
}

func endsWrapUpFirst(a, b *slot) bool {
	if c := a.wrapUpUntil.Compare(b.wrapUpUntil); c != 0 {
		return c < 0
	}
	return a.agent.ID < b.agent.ID
}

// slotHeap is a binary min-heap of slots under less; each slot knows its
// index so that it can be fixed or removed in place.
type slotHeap struct {
	slots []*slot
	less  func(a, b *slot) bool
}

func (h *slotHeap) init() {
	for i := len(h.slots)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *slotHeap) push(s *slot) {
	s.index = len(h.slots)
	h.slots = append(h.slots, s)
	h.up(s.index)
}

// remove takes out the slot at index i.
func (h *slotHeap) remove(i int) {
	last := len(h.slots) - 1
	if i != last {
		h.swap(i, last)
	}
	h.slots[last] = nil
	h.slots = h.slots[:last]
	if i != last {
		h.fix(i)
	}
}

// fix restores the heap order after the slot at index i changed.
func (h *slotHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *slotHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(h.slots[i], h.slots[parent]) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down sinks the slot at index i and reports whether it moved.
func (h *slotHeap) down(i int) bool {
	start, n := i, len(h.slots)
	for {
		child := 2*i + 1
		if child >= n {
			break
		}
		if right := child + 1; right < n && h.less(h.slots[right], h.slots[child]) {
			child = right
		}
		if !h.less(h.slots[child], h.slots[i]) {
			break
		}
		h.swap(i, child)
		i = child
	}
	return i > start
}

func (h *slotHeap) swap(i, j int) {
	h.slots[i], h.slots[j] = h.slots[j], h.slots[i]
	h.slots[i].index = i
	h.slots[j].index = j
}

// PickPassingOver is PickSticky for a conversation that must not go to the
// agent passedOver ("" for none; see conversation.PassedOver): that agent
// is neither picked nor counted as the sticky one, and stays in the Picker
// for the other conversations.
func (p *Picker) PickPassingOver(now time.Time, stickyAgentID, passedOver string) (Choice, bool) {
	if passedOver == "" {
		return p.PickSticky(now, stickyAgentID)
	}
	p.endWrapUps(now)
	if s := p.slots[passedOver]; s != nil && !s.resting {
		p.ready.remove(s.index)
		defer p.ready.push(s)
	}
	if stickyAgentID == passedOver {
		stickyAgentID = ""
	}
	return p.PickSticky(now, stickyAgentID)
}

// PassOver returns candidates without the agent passedOver (see
// conversation.PassedOver), for PickAgent; candidates itself is not
// changed.
func PassOver(candidates []Candidate, passedOver string) []Candidate {
	if passedOver == "" {
		return candidates
	}
	out := make([]Candidate, 0, len(candidates))
	for _, c := range candidates {
		if c.Agent == nil || c.Agent.ID != passedOver {
			out = append(out, c)
		}
	}
	return out
}
