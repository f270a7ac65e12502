package encryption

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Message size limits of the AWS transports, in bytes: body plus message
// attributes (names, type names and values).
const (
	// SQSMaxMessageBytes is the SQS limit (1 MiB since 2025).
	SQSMaxMessageBytes = 1 << 20
	// SNSMaxMessageBytes is the SNS publish limit (256 KiB).
	SNSMaxMessageBytes = 256 << 10
	// DefaultMaxMessageBytes is the limit used when none is configured: the
	// smaller of the two, so that a message fits either transport.
	DefaultMaxMessageBytes = SNSMaxMessageBytes
)

// wireSize is the size of a message as SQS/SNS count it: the body plus, for
// every metadata entry, its name, data type and value. Attributes a transport
// adds on its own are not included.
func wireSize(body int, md message.Metadata) int {
	n := body
	for k, v := range md {
		n += len(k) + len(sourceflow.AttributeDataType) + len(v)
	}
	return n
}
