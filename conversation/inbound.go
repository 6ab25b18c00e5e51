package conversation

// ReopenOnInbound returns the patch an INBOUND message makes to c: the
// customer wrote again, so a WAITING or SOLVED conversation moves back to
// OPEN. ok is false when the message changes nothing: c is OPEN already,
// or CLOSED, which takes no message at all. Whether the rule applies at
// all is the host's choice (the service's WithReopenOnInbound).
func ReopenOnInbound(c *Conversation) (p Patch, ok bool) {
	if c.Status != Waiting && c.Status != Solved {
		return Patch{}, false
	}
	open := Open
	return Patch{Status: &open}, true
}
