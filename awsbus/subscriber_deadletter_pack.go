package awsbus

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// packReason returns the attributes of a dead-letter copy of a message
// whose attributes, attrs, leave no room for the reason and include no
// packed envelope (typically one from another producer). The reason and as
// many attributes as it takes to stay within sourceflow.AttributeBudget
// move into a new packed envelope (sourceflow.MetaEnvelope): the JSON
// object of strings that marshal writes and unmarshal and `sourceflow dlq
// peek` read, so a consumer still finds every attribute in the metadata
// and peek shows the reason. Plain String attributes move first, then
// SourceFlow's own, then other data types, each in name order; a moved
// attribute keeps its name and its value as text. Unlike marshal's, this
// envelope has no UUID key: `sourceflow dlq redrive` tells it apart by
// that and gives the moved attributes their own again. ok is false, and
// attrs is returned as it is, when too few attributes can move without
// losing their value (see packable).
func packReason(attrs map[string]sqstypes.MessageAttributeValue, reason string) (map[string]sqstypes.MessageAttributeValue, bool) {
	move := len(attrs) + 1 - sourceflow.AttributeBudget
	type candidate struct {
		name, value string
		rank        int
	}
	var cands []candidate
	for k, v := range attrs {
		if value, rank, ok := packable(k, v); ok {
			cands = append(cands, candidate{k, value, rank})
		}
	}
	if len(cands) < move {
		return attrs, false
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(a.name, b.name))
	})
	env := map[string]string{sourceflow.MetaFailure: reason}
	out := maps.Clone(attrs)
	for _, c := range cands[:max(move, 0)] {
		env[c.name] = c.value
		delete(out, c.name)
	}
	packed, err := json.Marshal(env)
	if err != nil {
		return attrs, false
	}
	out[sourceflow.MetaEnvelope] = stringAttribute(string(packed))
	return out, true
}

// packable reports whether the attribute name, v can move into a packed
// envelope without changing what a consumer reads, with its value as text
// and its rank (lower moves first). It cannot when the envelope gives its
// name another meaning (the UUID key, a consume marker), when it is only
// ever sent as an attribute (attributeOnly: the envelope itself, the type)
// or when its value is not valid UTF-8.
func packable(name string, v sqstypes.MessageAttributeValue) (value string, rank int, ok bool) {
	if name == envelopeUUID || attributeOnly(name) || sourceflow.IsConsumeMarker(name) {
		return "", 0, false
	}
	switch {
	case v.BinaryValue != nil:
		return string(v.BinaryValue), 2, utf8.Valid(v.BinaryValue)
	case aws.ToString(v.DataType) != sourceflow.AttributeDataType:
		return aws.ToString(v.StringValue), 2, true
	case sourceflow.IsReserved(name) || strings.HasPrefix(name, "sf_"):
		return aws.ToString(v.StringValue), 1, true
	}
	return aws.ToString(v.StringValue), 0, true
}

// stringAttribute is an SQS String attribute of value s.
func stringAttribute(s string) sqstypes.MessageAttributeValue {
	return sqstypes.MessageAttributeValue{DataType: aws.String(sourceflow.AttributeDataType), StringValue: aws.String(s)}
}
