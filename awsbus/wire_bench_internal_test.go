package awsbus

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
)

// BenchmarkWireConversion measures one message with a full envelope turned
// into its SQS form and back, as the publisher and the subscriber do it,
// without the transport: marshal, sqsAttributes, fromSQSAttributes and
// unmarshal.
//
//	go test -run '^$' -bench WireConversion -benchmem ./awsbus
func BenchmarkWireConversion(b *testing.B) {
	msg := message.NewMessage("0b8f5c3e-6e0c-4c7e-9f7a-2d1c3b4a5e6f", []byte(`{"orderId":"o-1","amount":1}`))
	msg.Metadata = fullMetadata()
	b.ReportAllocs()
	for b.Loop() {
		wire, err := marshal(msg)
		if err != nil {
			b.Fatal(err)
		}
		got, err := unmarshal(wire.body, fromSQSAttributes(sqsAttributes(wire.attrs)), "sqs-id")
		if err != nil || got.UUID != msg.UUID {
			b.Fatal(got.UUID, err)
		}
	}
}
