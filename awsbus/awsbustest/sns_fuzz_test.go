package awsbustest_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// snsNotification is the JSON body of a non-raw SNS delivery.
type snsNotification struct {
	Type, MessageID, TopicArn, Message, Timestamp string
	MessageAttributes                             map[string]struct{ Type, Value string }
}

// FuzzSNSDelivery publishes arbitrary bodies and types to a topic with a raw
// subscription under an arbitrary filter policy and a non-raw subscription.
// A policy the fake cannot read is refused with InvalidParameter; a policy of
// exact strings delivers exactly the matching messages raw, unchanged; and
// every published message reaches the non-raw queue as an SNS notification
// that decodes to the body, the topic and the attributes.
func FuzzSNSDelivery(f *testing.F) {
	exact, err := json.Marshal(map[string][]string{sourceflow.MetaType: {"orders.Created", "orders.Paid"}})
	require.NoError(f, err)
	for _, seed := range []struct{ filter, typ, body string }{
		{string(exact), "orders.Created", `{"id":1}`},
		{string(exact), "orders.Cancelled", `{"id":2}`},
		{"", "", "plain text"},
		{`{"sf_type":[{"prefix":"orders."}]}`, "orders.X", "b"},
		{`{"sf_type":[{"anything-but":["a","b"]}],"tenant":[{"exists":false}]}`, "c", "b"},
		{`{"sf_type":[{"numeric":[">",1]}]}`, "1", "b"},
		{`{"sf_type":null,"x":[]}`, "t", "b"},
		{`[]`, "t", "\u2028</script>"},
	} {
		f.Add(seed.filter, seed.typ, seed.body)
	}
	f.Fuzz(func(t *testing.T, filter, typ, body string) {
		q := awsbustest.NewSQS(awsbustest.SQSConfig{})
		n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
		ctx := context.Background()
		topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
		require.NoError(t, err)
		rawURL, envURL := createQueue(t, q, "raw", nil), createQueue(t, q, "env", nil)
		attrs := map[string]string{"RawMessageDelivery": "true", "FilterPolicy": filter}
		_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(q.QueueARN("raw")), Attributes: attrs})
		var invalid *types.InvalidParameterException
		if err != nil {
			require.True(t, errors.As(err, &invalid), "filter %q refused with %v", filter, err)
			return
		}
		_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(q.QueueARN("env"))})
		require.NoError(t, err)
		in := &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(body)}
		if typ != "" {
			in.MessageAttributes = map[string]types.MessageAttributeValue{sourceflow.MetaType: strAttr(typ)}
		}
		if _, err := n.Publish(ctx, in); err != nil {
			require.True(t, errors.As(err, &invalid), "publish refused with %v", err)
			return
		}
		checkRaw(t, q.Messages(rawURL), n.Dropped(), filter, typ, body)
		env := q.Messages(envURL)
		require.Len(t, env, 1)
		checkNotification(t, env[0], aws.ToString(topic.TopicArn), typ, body)
	})
}

// checkRaw asserts the raw deliveries of one published message: a message
// that SQS cannot hold is dropped and counted, never altered.
func checkRaw(t *testing.T, got []awsbustest.Message, dropped int, filter, typ, body string) {
	t.Helper()
	require.LessOrEqual(t, len(got), 1)
	if want, known := exactMatch(filter, typ); known {
		sqsable := sqsText(body) && sqsText(typ)
		require.Equal(t, want && sqsable, len(got) == 1, "filter %q, type %q", filter, typ)
		require.Equal(t, want && !sqsable, dropped == 1, "drops %d, filter %q", dropped, filter)
	}
	if len(got) == 1 {
		require.Equal(t, body, got[0].Body)
		if typ != "" {
			require.Equal(t, typ, got[0].Attributes[sourceflow.MetaType])
		}
	}
}

// exactMatch decides, for a filter policy of exact strings only, whether a
// message whose only attribute is the type typ matches. known is false for
// any other policy.
func exactMatch(filter, typ string) (match, known bool) {
	if filter == "" {
		return true, true
	}
	var policy map[string][]string
	if json.Unmarshal([]byte(filter), &policy) != nil {
		return false, false
	}
	for key, values := range policy {
		if key != sourceflow.MetaType || typ == "" || !slices.Contains(values, typ) {
			return false, true
		}
	}
	return true, true
}

// checkNotification asserts that a non-raw delivery is an SNS notification
// of the published message.
func checkNotification(t *testing.T, got awsbustest.Message, topicARN, typ, body string) {
	t.Helper()
	require.Empty(t, got.Attributes, "a non-raw delivery carries no SQS attributes")
	var note snsNotification
	require.NoError(t, json.Unmarshal([]byte(got.Body), &note), "notification %q", got.Body)
	require.Equal(t, "Notification", note.Type)
	require.NotEmpty(t, note.MessageID)
	require.Equal(t, topicARN, note.TopicArn)
	_, err := time.Parse(time.RFC3339Nano, note.Timestamp)
	require.NoError(t, err)
	if utf8.ValidString(body) {
		require.Equal(t, body, note.Message)
	}
	if typ == "" {
		require.Empty(t, note.MessageAttributes)
		return
	}
	require.Len(t, note.MessageAttributes, 1)
	a := note.MessageAttributes[sourceflow.MetaType]
	require.Equal(t, "String", a.Type)
	if utf8.ValidString(typ) {
		require.Equal(t, typ, a.Value)
	}
}

// sqsText reports whether s holds only the characters SQS accepts.
func sqsText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		ok := r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok {
			return false
		}
	}
	return true
}
