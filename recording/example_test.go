package recording_test

import (
	"fmt"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/recording"
)

func ExampleDecide() {
	account := &recording.AccountConfig{Inbound: true, MediaType: recording.AudioAndVideo, Enabled: true, AutoCompose: true}
	trainee := &recording.AgentConfig{AgentID: "trainee", Inbound: true, Outbound: true, MediaType: recording.AudioAndVideo, Enabled: true}

	in := &call.Call{Direction: call.Inbound, Channel: conversation.Voice, AgentID: "senior"}
	out := &call.Call{Direction: call.Outbound, Channel: conversation.Video, AgentID: "trainee"}
	fmt.Printf("%+v\n", recording.Decide(in, account, nil))
	fmt.Printf("%+v\n", recording.Decide(out, account, trainee))
	// Output:
	// {Record:true MediaType:AUDIO AutoCompose:true Source:ACCOUNT}
	// {Record:true MediaType:AUDIO_AND_VIDEO AutoCompose:true Source:AGENT}
}
