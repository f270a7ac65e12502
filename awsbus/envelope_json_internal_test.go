package awsbus

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// packEnvelope writes the bytes json.Marshal writes, and unpackEnvelope
// reads what json.Unmarshal reads with the same values and refuses what it
// refuses, for envelopes in the plain form and outside it: escapes, HTML
// characters, non-ASCII and invalid UTF-8, white space, duplicate keys,
// malformed objects.
func FuzzEnvelopeJSON(f *testing.F) {
	f.Add("uuid", "0b8f5c3e-6e0c-4c7e-9f7a-2d1c3b4a5e6f", sourceflow.MetaOccurredAt, "2026-12-06T16:40:00.123456789Z")
	f.Add(sourceflow.MetaEntityID, "o-1", sourceflow.MetaSequence, "42")
	f.Add("", "", "k", `quote " and \ backslash`)
	f.Add("a<b>", "&", "tab", "\t\n\x7f")
	f.Add("é", "\u2028\u2029", "bad", "\xff\xfe")
	f.Add("same", "1", "same", "1")
	for _, raw := range []string{
		`{}`, `{"a":"b"}`, `{"a":"1","a":"2"}`, ` {"a":"b"}`, `{"a": "b"}`, `{"a":"b",}`, `{,}`, `{"a"}`,
		`{"a":1}`, `{"a":null}`, `null`, `{"a":"}"}`, `{"a":"b"}x`, `{"a":"\u00e9"}`, `{"a":"b"`, `{`, `}`, `"x"`,
		`{"a":"b","c":"d"}`, `{"a":"b"}}`, `{"\x7f":"\x01"}`, `{"a":"b",,"c":"d"}`, `{"a":"b":"c"}`,
	} {
		f.Add("raw", raw, "", "")
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		env := map[string]string{k1: v1, k2: v2}
		want, werr := json.Marshal(env)
		got, err := packEnvelope(env)
		require.Equal(t, werr == nil, err == nil)
		require.Equal(t, string(want), got)
		for _, raw := range []string{got, v1, k1 + v1 + k2 + v2} {
			var wantEnv map[string]string
			werr := json.Unmarshal([]byte(raw), &wantEnv)
			gotEnv, err := unpackEnvelope(raw)
			if werr != nil {
				require.Equal(t, werr.Error(), err.Error())
				continue
			}
			require.NoError(t, err)
			require.Equal(t, wantEnv, gotEnv)
		}
	})
}

// attributesSink keeps the SQS attributes TestWireConversionAllocations
// converts, as a publish keeps them in its request: attributes that are
// dropped at once could live on the stack and allocate less than a
// publish pays.
var attributesSink map[string]sqstypes.MessageAttributeValue

// A message with a full envelope goes out and comes back in a fraction of
// the allocations encoding/json took (24 to marshal, 40 to unmarshal, 10 for
// the SQS attributes): the plain form is written and read by hand, and the
// SDK attribute values share their pointers' allocations (the map, the
// value pointers and the data type, however many attributes there are).
func TestWireConversionAllocations(t *testing.T) {
	msg := message.NewMessage("0b8f5c3e-6e0c-4c7e-9f7a-2d1c3b4a5e6f", []byte(`{"id":1}`))
	msg.Metadata = fullMetadata()
	wire, err := marshal(msg)
	require.NoError(t, err)
	out := testing.AllocsPerRun(100, func() { _, _ = marshal(msg) })
	in := testing.AllocsPerRun(100, func() { _, _ = unmarshal(wire.body, wire.attrs, "sqs-id") })
	attrs := testing.AllocsPerRun(100, func() { attributesSink = sqsAttributes(wire.attrs) })
	t.Logf("allocations: marshal %.0f, unmarshal %.0f, sqsAttributes %.0f", out, in, attrs)
	require.LessOrEqual(t, out, 8.0)
	require.LessOrEqual(t, in, 14.0)
	require.LessOrEqual(t, attrs, 4.0)
}

// An envelope's map is sized by the keys it holds, not by what its values
// or malformed tail contain: a hostile sf_env of a few hundred KiB of commas
// costs about its own size to read, not a map sized for each comma.
func TestUnpackEnvelopeAllocatesForItsKeysOnly(t *testing.T) {
	commas := strings.Repeat(",", 200_000)
	for _, raw := range []string{`{"a":"` + commas + `"}`, `{"a":"b"` + commas + `}`} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _ = unpackEnvelope(raw)
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		require.Less(t, allocated, uint64(4*len(raw)), "bytes allocated to read %d bytes", len(raw))
	}
}
