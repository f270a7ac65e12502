package topology_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

var testTags = map[string]string{"team": "checkout", "cost-center": "4711"}

func queueTags(t *testing.T, sq *awsbustest.SQS, url string) map[string]string {
	t.Helper()
	out, err := sq.ListQueueTags(context.Background(), &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	require.NoError(t, err)
	return out.Tags
}

func topicState(t *testing.T, sn *awsbustest.SNS, arn string) (attrs, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	a, err := sn.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	require.NoError(t, err)
	tl, err := sn.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	require.NoError(t, err)
	tags = map[string]string{}
	for _, tag := range tl.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return a.Attributes, tags
}

// queueURLs returns every queue of eps, dead-letter queues included.
func queueURLs(eps topology.Endpoints) []string {
	var out []string
	for _, ep := range eps {
		if ep.QueueURL != "" {
			out = append(out, ep.QueueURL, ep.DLQURL)
		}
	}
	return out
}

func TestCreate_EncryptsAtRestUnderTheKeyTagsAndRefusesRequestsWithoutTLS(t *testing.T) {
	sq, sn := newFakes()
	eps, p := create(t, sq, sn, topology.Options{KMSKeyID: "alias/orders", Tags: testTags})

	urls := queueURLs(eps)
	require.Len(t, urls, 4, "two consumed queues and their dead-letter queues")
	for _, url := range urls {
		attrs := queueAttrs(t, sq, url)
		assert.Equal(t, "alias/orders", attrs[topology.AttrKMSMasterKey], url)
		assert.Equal(t, "false", attrs[topology.AttrSQSManagedSSE], url)
		assert.True(t, topology.RefusesInsecureTransport(attrs["Policy"], attrs["QueueArn"]), url)
		assert.Equal(t, testTags, queueTags(t, sq, url), url)
	}
	for _, name := range []string{"order-events", "payment-events"} {
		attrs, tags := topicState(t, sn, eps[name].TopicARN)
		assert.Equal(t, "alias/orders", attrs[topology.AttrKMSMasterKey], name)
		assert.Equal(t, testTags, tags, name)
	}

	before := writes(sq, sn)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	_, err = topo.Create(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, before, writes(sq, sn), "a second create writes nothing")
}

func TestCreate_UsesSQSManagedEncryptionWithoutAKey(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{})

	for _, url := range queueURLs(eps) {
		attrs := queueAttrs(t, sq, url)
		assert.Equal(t, "true", attrs[topology.AttrSQSManagedSSE], url)
		assert.Empty(t, attrs[topology.AttrKMSMasterKey], url)
		assert.True(t, topology.RefusesInsecureTransport(attrs["Policy"], attrs["QueueArn"]), url)
	}
	attrs, _ := topicState(t, sn, eps["order-events"].TopicARN)
	assert.Empty(t, attrs[topology.AttrKMSMasterKey], "SNS has no encryption of its own")
}

// A service that starts encrypting and tagging switches its existing queues
// from SQS-managed encryption to its key (SQS refuses both at once), tags
// queues and topics, sets the key on its topics and restores a policy that
// lost the TLS statement.
func TestCreate_ReconcilesEncryptionTagsAndTLSOfExistingResources(t *testing.T) {
	sq, sn := newFakes()
	eps, _ := create(t, sq, sn, topology.Options{})
	ctx := context.Background()
	cmdURL := eps["orders.fifo"].QueueURL
	_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(cmdURL), Attributes: map[string]string{"Policy": ""}})
	require.NoError(t, err)

	eps, _ = create(t, sq, sn, topology.Options{KMSKeyID: "alias/orders", Tags: testTags})

	for _, url := range queueURLs(eps) {
		attrs := queueAttrs(t, sq, url)
		assert.Equal(t, "alias/orders", attrs[topology.AttrKMSMasterKey], url)
		assert.Equal(t, "false", attrs[topology.AttrSQSManagedSSE], url)
		assert.True(t, topology.RefusesInsecureTransport(attrs["Policy"], attrs["QueueArn"]), url)
		assert.Equal(t, testTags, queueTags(t, sq, url), url)
	}
	attrs, tags := topicState(t, sn, eps["payment-events"].TopicARN)
	assert.Equal(t, "alias/orders", attrs[topology.AttrKMSMasterKey])
	assert.Equal(t, testTags, tags)
}

func TestValidate_ReportsEncryptionTagAndTLSDrift(t *testing.T) {
	sq, sn := newFakes()
	opts := topology.Options{KMSKeyID: "alias/orders", Tags: testTags}
	eps, p := create(t, sq, sn, opts)
	ctx := context.Background()
	cmd, evq := eps["orders.fifo"], eps["payment-events"]
	_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(cmd.QueueURL),
		Attributes: map[string]string{topology.AttrKMSMasterKey: "alias/other"}})
	require.NoError(t, err)
	_, err = sq.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(cmd.DLQURL), Tags: map[string]string{"team": "other"}})
	require.NoError(t, err)
	_, err = sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(evq.DLQURL),
		Attributes: map[string]string{"Policy": foreign}})
	require.NoError(t, err)
	_, err = sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(evq.TopicARN),
		AttributeName: aws.String(topology.AttrKMSMasterKey), AttributeValue: aws.String("")})
	require.NoError(t, err)
	before := writes(sq, sn)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)

	rep, _, err := topo.Validate(ctx, p)

	require.NoError(t, err)
	assert.Equal(t, before, writes(sq, sn), "validate writes nothing")
	got := strings.Join(driftStrings(rep), "\n")
	for _, want := range []string{
		"queue orders.fifo: KmsMasterKeyId is alias/other, want alias/orders",
		`queue orders-dlq.fifo: tag team is "other", want "checkout"`,
		"queue orders-payment-events-dlq: Policy does not refuse requests without TLS",
		"topic payment-events: KmsMasterKeyId is unset, want alias/orders",
		// The foreign policy also dropped the topic's statement, which the
		// subscription's redrive needs.
		"policy orders-payment-events-dlq: no statement lets topic arn:aws:sns:us-east-1:210987654321:payment-events send",
	} {
		assert.Contains(t, got, want)
	}
	assert.Len(t, rep.Drifts, 5, got)
}

func TestOptions_RejectTagsAWSRefuses(t *testing.T) {
	many := map[string]string{}
	for i := range topology.MaxTags + 1 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	for name, tc := range map[string]struct {
		tags map[string]string
		want string
	}{
		"reserved prefix": {map[string]string{"AWS:owner": "x"}, `tag key "AWS:owner": the prefix aws: is reserved`},
		"empty key":       {map[string]string{"": "x"}, `tag key "": 1 to 128 characters`},
		"long key":        {map[string]string{strings.Repeat("k", 129): "x"}, "1 to 128 characters"},
		"long value":      {map[string]string{"k": strings.Repeat("v", 257)}, `tag "k": value over 256 characters`},
		"too many":        {many, "51 tags, at most 50"},
	} {
		t.Run(name, func(t *testing.T) {
			err := topology.Options{Tags: tc.tags}.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Tags: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	require.NoError(t, topology.Options{Tags: testTags}.Validate())
}

// A service that stops encrypting moves its queues back to SQS-managed
// encryption (clearing the key in the same call, as SQS requires), and
// Validate reports a queue still under the key until then.
func TestCreate_MovesQueuesBackToManagedEncryptionWhenTheKeyGoes(t *testing.T) {
	sq, sn := newFakes()
	_, p := create(t, sq, sn, topology.Options{KMSKeyID: "alias/orders"})
	plain, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	ctx := context.Background()

	rep, _, err := topo.Validate(ctx, plain)
	require.NoError(t, err)
	assert.Contains(t, strings.Join(driftStrings(rep), "\n"), "queue orders.fifo: KmsMasterKeyId is alias/orders, want unset")

	eps, err := topo.Create(ctx, plain)
	require.NoError(t, err)
	for _, url := range queueURLs(eps) {
		attrs := queueAttrs(t, sq, url)
		assert.Equal(t, "true", attrs[topology.AttrSQSManagedSSE], url)
		assert.Empty(t, attrs[topology.AttrKMSMasterKey], url)
	}
	rep, _, err = topo.Validate(ctx, plain)
	require.NoError(t, err)
	assert.Empty(t, driftStrings(rep))
	require.NotEqual(t, p.KMSKeyID, plain.KMSKeyID)
}

// auditBinding listens to the orders service's payment-events topic.
func auditBinding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "audit",
		Routes:  []sourceflow.Route{{Type: "payments.PaymentTaken", Kind: sourceflow.KindEvent, Destination: "payment-events"}},
		Listeners: []sourceflow.Listener{
			{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentTaken"}},
		},
	}
}

// Two services that share a topic but disagree on its key and a tag value
// do not take turns rewriting it: Create fills in only what the topic lacks,
// so rounds after the first write nothing, and Validate of the second
// service reports the differences by name.
func TestCreate_DoesNotOverwriteWhatAnotherServiceSetOnASharedTopic(t *testing.T) {
	sq, sn := newFakes()
	orders := topology.Options{KMSKeyID: "alias/orders", Tags: map[string]string{"team": "checkout"}}
	audit := topology.Options{KMSKeyID: "alias/audit", Tags: map[string]string{"team": "audit", "env": "prod"}}
	eps, _ := create(t, sq, sn, orders)
	_, auditPlan := createFor(t, sq, sn, audit, auditBinding())

	attrs, tags := topicState(t, sn, eps["payment-events"].TopicARN)
	assert.Equal(t, "alias/orders", attrs[topology.AttrKMSMasterKey], "the first service's key is kept")
	assert.Equal(t, map[string]string{"team": "checkout", "env": "prod"}, tags, "a missing tag is filled in, a set one kept")

	before := writes(sq, sn)
	create(t, sq, sn, orders)
	createFor(t, sq, sn, audit, auditBinding())
	assert.Equal(t, before, writes(sq, sn), "no round rewrites the other service's values")

	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	rep, _, err := topo.Validate(context.Background(), auditPlan)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"topic payment-events: KmsMasterKeyId is alias/orders, want alias/audit",
		`topic payment-events: tag team is "checkout", want "audit"`,
	}, driftStrings(rep))
}
