package awsbus

import (
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// envelopeUUID is the key of the Watermill message UUID inside the packed
// envelope attribute.
const envelopeUUID = "uuid"

// wireMessage is a Watermill message in the form SQS and SNS carry it: a
// text body and string attributes.
type wireMessage struct {
	uuid  string
	body  string
	attrs map[string]string
}

// size returns the bytes SQS and SNS count: body plus attribute names, data
// types and values.
func (w wireMessage) size() int {
	n := len(w.body)
	for k, v := range w.attrs {
		n += len(k) + len(sourceflow.AttributeDataType) + len(v)
	}
	return n
}

// marshal turns msg into its wire form. The payload becomes the body as
// text; the envelope keys and the UUID are packed into one MetaEnvelope
// attribute; every other non-empty metadata value, MetaType included, gets an
// attribute of its own, except the consume markers (sourceflow.IsConsumeMarker),
// which describe one delivery and are never sent; unmarshal drops them too. It fails on a payload that is not valid text, on a
// key that is not a valid attribute name, and when the attributes exceed
// sourceflow.AttributeBudget. A key is chosen by the publishing code, which
// may copy a received message's metadata: an invalid one is named as
// errtext.Quote bounds it.
func marshal(msg *message.Message) (wireMessage, error) {
	body := string(msg.Payload)
	if !sqsrules.ValidText(body) {
		return wireMessage{}, fmt.Errorf("%w: message %s has %d bytes that are not valid UTF-8 text (encode binary payloads as base64)",
			ErrInvalidPayload, sourceflow.IDText(msg.UUID), len(msg.Payload))
	}
	if !utf8.ValidString(msg.UUID) {
		return wireMessage{}, fmt.Errorf("%w: message UUID %s is not valid UTF-8", ErrInvalidAttribute, sourceflow.IDText(msg.UUID))
	}
	env := map[string]string{envelopeUUID: msg.UUID}
	attrs := map[string]string{}
	for k, v := range msg.Metadata {
		switch {
		case v == "", sourceflow.IsConsumeMarker(k):
		case sourceflow.IsEnvelopeKey(k) && !utf8.ValidString(v):
			return wireMessage{}, fmt.Errorf("%w: message %s: value of %q is not valid UTF-8", ErrInvalidAttribute, sourceflow.IDText(msg.UUID), k)
		case sourceflow.IsEnvelopeKey(k):
			env[k] = v
		case k == sourceflow.MetaEnvelope:
			return wireMessage{}, fmt.Errorf("%w: message %s sets reserved metadata key %q", ErrInvalidAttribute, sourceflow.IDText(msg.UUID), k)
		case !sqsrules.ValidAttributeName(k):
			return wireMessage{}, fmt.Errorf("%w: message %s: metadata key %s is not a valid attribute name (letters, digits, '_', '-', '.'; at most 256)",
				ErrInvalidAttribute, sourceflow.IDText(msg.UUID), errtext.Quote(k, sourceflow.MaxCorrelationIDLen))
		case !sqsrules.ValidText(v):
			return wireMessage{}, fmt.Errorf("%w: message %s: value of %q is not valid text", ErrInvalidAttribute, sourceflow.IDText(msg.UUID), k)
		default:
			attrs[k] = v
		}
	}
	packed, err := packEnvelope(env)
	if err != nil {
		return wireMessage{}, fmt.Errorf("awsbus: pack envelope of message %s: %w", sourceflow.IDText(msg.UUID), err)
	}
	attrs[sourceflow.MetaEnvelope] = packed
	if len(attrs) > sourceflow.AttributeBudget {
		keys := slices.Sorted(maps.Keys(attrs))
		return wireMessage{}, &BudgetError{UUID: msg.UUID, Count: len(attrs), Budget: sourceflow.AttributeBudget, Keys: keys}
	}
	return wireMessage{uuid: msg.UUID, body: body, attrs: attrs}, nil
}

// unmarshal restores a Watermill message from its wire form, its metadata
// read by UnpackAttributes without the consume markers. fallbackUUID (the
// SQS MessageId) is used when the envelope carries no UUID. A malformed
// envelope yields the message with its attributes alone and an error
// wrapping ErrMalformedMessage.
func unmarshal(body string, attrs map[string]string, fallbackUUID string) (*message.Message, error) {
	md, uuid, err := UnpackAttributes(attrs, fallbackUUID)
	maps.DeleteFunc(md, func(k, _ string) bool { return sourceflow.IsConsumeMarker(k) })
	msg := message.NewMessage(uuid, []byte(body))
	msg.Metadata = md
	return msg, err
}

// sqsAttributes converts attributes to SQS String attributes.
func sqsAttributes(attrs map[string]string) map[string]sqstypes.MessageAttributeValue {
	return stringAttributes(attrs, func(dataType, value *string) sqstypes.MessageAttributeValue {
		return sqstypes.MessageAttributeValue{DataType: dataType, StringValue: value}
	})
}

// snsAttributes converts attributes to SNS String attributes.
func snsAttributes(attrs map[string]string) map[string]snstypes.MessageAttributeValue {
	return stringAttributes(attrs, func(dataType, value *string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: dataType, StringValue: value}
	})
}

// stringAttributes converts attributes to String attributes of an SDK
// (SQS's or SNS's), each built by attr from its data type and value. The
// attributes share one data type and one allocation for the value pointers.
func stringAttributes[V any](attrs map[string]string, attr func(dataType, value *string) V) map[string]V {
	out := make(map[string]V, len(attrs))
	dataType := aws.String(sourceflow.AttributeDataType)
	values := make([]string, 0, len(attrs))
	for k, v := range attrs {
		values = append(values, v)
		out[k] = attr(dataType, &values[len(values)-1])
	}
	return out
}

// fromSQSAttributes reads SQS message attributes as strings.
func fromSQSAttributes(in map[string]sqstypes.MessageAttributeValue) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		if v.BinaryValue != nil {
			out[k] = string(v.BinaryValue)
			continue
		}
		out[k] = aws.ToString(v.StringValue)
	}
	return out
}
