package storage

import (
	"time"

	"github.com/parleyhq/parley/call"
)

// The keys of the transfer settings the service keeps (GetSetting,
// PutSetting), each a JSON object.
const (
	// SettingExternalTransfer is the external-number transfer
	// configuration and the numbers it allows.
	SettingExternalTransfer = "call.transfer.external_number"
	// SettingTransferStrategy is what the customer hears while a transfer
	// rings.
	SettingTransferStrategy = "call.transfer.strategy"
)

// TransferDeadline is when the transfer ringing on the CONNECTED call c
// rings out: the runner's deadline for it (DueCalls). Zero when c is not
// connected, has no transfer, or its QUEUE transfer rings at nobody.
func TransferDeadline(c *call.Call) time.Time {
	if c.State != call.Connected || c.Transfer == nil {
		return time.Time{}
	}
	return c.Transfer.Deadline
}

// CallDue is when the runner acts on c (DueCalls): the deadline of a
// RINGING or DIALING call, the transfer deadline of a CONNECTED one
// (TransferDeadline); zero for none.
func CallDue(c *call.Call) time.Time {
	if c.State == call.Ringing || c.State == call.Dialing {
		return c.Deadline
	}
	return TransferDeadline(c)
}

// The events of call transfers (the transfer's end by an external number
// answering is CallEnded, with the reason TRANSFERRED).
const (
	CallTransferStarted  EventType = "call.transfer_started"   // a transfer of a connected call started
	CallTransferOffered  EventType = "call.transfer_offered"   // a QUEUE transfer started ringing at the next agent
	CallTransferAccepted EventType = "call.transfer_accepted"  // the agent a transfer rang at answered: the call is its
	CallTransferRejected EventType = "call.transfer_rejected"  // the agent a transfer rang at declined it
	CallTransferTimedOut EventType = "call.transfer_timed_out" // a transfer rang out
	CallTransferReturned EventType = "call.transfer_returned"  // the transfer ended unanswered: the call is back with its agent
)
