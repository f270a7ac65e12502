//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// topologyNames are the unique resource names of one topology test.
type topologyNames struct {
	service, commands, published, subscribed string
}

func newTopologyNames(prefix string) topologyNames {
	return topologyNames{
		service:    uniqueName(prefix+"-svc", ""),
		commands:   uniqueName(prefix+"-cmd", ".fifo"),
		published:  uniqueName(prefix+"-pub", ""),
		subscribed: uniqueName(prefix+"-sub", ""),
	}
}

// binding: the service listens to its FIFO command queue, publishes one
// topic, and handles one of the two types routed to the subscribed topic
// (so the subscription gets a filter policy).
func (n topologyNames) binding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: n.service,
		Routes: []sourceflow.Route{
			{Type: "it.Create", Kind: sourceflow.KindCommand, Destination: n.commands},
			{Type: "it.Created", Kind: sourceflow.KindEvent, Destination: n.published},
			{Type: "it.Paid", Kind: sourceflow.KindEvent, Destination: n.subscribed},
			{Type: "it.Refunded", Kind: sourceflow.KindEvent, Destination: n.subscribed},
		},
		Listeners: []sourceflow.Listener{
			{Destination: n.commands, Kind: sourceflow.KindCommand, Types: []string{"it.Create"}},
			{Destination: n.subscribed, Kind: sourceflow.KindEvent, Types: []string{"it.Paid"}},
		},
	}
}

func (n topologyNames) eventQueue() string {
	return topology.DefaultEventQueueName(topology.EventQueueNameParams{Service: n.service, Topic: n.subscribed})
}

type rawClients struct {
	sqs    *sqs.Client
	sns    *sns.Client
	sts    *sts.Client
	region string
}

func newRawClients(t *testing.T) rawClients {
	cfg := awsConfig(t)
	return rawClients{sqs: sqs.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg), region: cfg.Region}
}

func (c rawClients) awsbus() awsbus.Clients {
	return awsbus.Clients{SQS: c.sqs, SNS: c.sns, STS: c.sts, Region: c.region}
}

func applyTopology(t *testing.T, c rawClients, mode topology.Provisioning, opts topology.Options, b sourceflow.Binding) (topology.Endpoints, error) {
	t.Helper()
	topo, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: c.sqs, SNS: c.sns, STS: c.sts, Region: c.region})
	require.NoError(t, err)
	p, err := topology.New(b, opts)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return topo.Apply(ctx, mode, p)
}

// snapshot is every attribute AWS reports for the topology's queues and
// subscriptions, minus the message counters, and the policy of its topics.
func snapshot(t *testing.T, c rawClients, eps topology.Endpoints) map[string]map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]string{}
	for _, ep := range eps {
		for _, u := range []string{ep.QueueURL, ep.DLQURL} {
			if u == "" {
				continue
			}
			res, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
				QueueUrl: aws.String(u), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
			})
			require.NoError(t, err)
			attrs := maps.Clone(res.Attributes)
			for k := range attrs {
				if strings.HasPrefix(k, "ApproximateNumberOfMessages") {
					delete(attrs, k)
				}
			}
			out[u] = attrs
		}
		if ep.TopicARN == "" {
			continue
		}
		topic, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(ep.TopicARN)})
		require.NoError(t, err)
		out[ep.TopicARN] = map[string]string{"Policy": topic.Attributes["Policy"]}
		subs, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(ep.TopicARN)})
		require.NoError(t, err)
		for _, s := range subs.Subscriptions {
			res, err := c.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn})
			require.NoError(t, err)
			out[aws.ToString(s.SubscriptionArn)] = res.Attributes
		}
	}
	return out
}

func TestAWSTopology_CreateIsIdempotentAndComplete(t *testing.T) {
	skipOnMoto(t, "moto drops a queue's Policy when only its RedrivePolicy is set, so the merged policy cannot be checked")
	c := newRawClients(t)
	n := newTopologyNames("topo")
	ctx := context.Background()
	// A pre-existing event queue with a statement someone else wrote.
	pre, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n.eventQueue())})
	require.NoError(t, err)
	preARN := queueARN(t, c, aws.ToString(pre.QueueUrl))
	foreign := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow",`+
		`"Principal":{"AWS":"*"},"Action":"sqs:GetQueueAttributes","Resource":"%s"}]}`, preARN)
	_, err = c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl: pre.QueueUrl, Attributes: map[string]string{"Policy": foreign},
	})
	require.NoError(t, err)
	// A pre-existing published topic with a statement someone else wrote.
	pubARN := createTopicWithPolicy(t, c, n.published, `{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow",`+
		`"Principal":{"AWS":"*"},"Action":"sns:GetTopicAttributes","Resource":"*"}]}`)
	opts := topology.Options{MaxReceiveCount: 4}

	first, err := applyTopology(t, c, topology.ProvisionCreate, opts, n.binding())
	require.NoError(t, err)
	before := snapshot(t, c, first)
	second, err := applyTopology(t, c, topology.ProvisionCreate, opts, n.binding())
	require.NoError(t, err)
	after := snapshot(t, c, second)

	assert.Equal(t, first, second)
	assert.Equal(t, before, after, "a second create changes nothing")

	cmd := first[n.commands]
	cmdAttrs := before[cmd.QueueURL]
	assert.Equal(t, "true", cmdAttrs["FifoQueue"])
	assert.Equal(t, "true", cmdAttrs["ContentBasedDeduplication"])
	assert.Contains(t, cmd.DLQURL, strings.TrimSuffix(n.commands, ".fifo")+"-dlq.fifo")
	assertRedrive(t, cmdAttrs["RedrivePolicy"], before[cmd.DLQURL]["QueueArn"], 4)

	sub := first[n.subscribed]
	require.Equal(t, aws.ToString(pre.QueueUrl), sub.QueueURL)
	assertRedrive(t, before[sub.QueueURL]["RedrivePolicy"], before[sub.DLQURL]["QueueArn"], 4)
	stmts := policyStatements(t, before[sub.QueueURL]["Policy"])
	require.Len(t, stmts, 3, "foreign statement kept, the TLS statement, one statement for the topic")
	assert.Equal(t, "Ops", stmts[0]["Sid"])
	assert.Equal(t, topology.SecureTransportSid, stmts[1]["Sid"])
	assert.Contains(t, fmt.Sprint(stmts[2]["Condition"]), sub.TopicARN)
	assert.Equal(t, "true", cmdAttrs[topology.AttrSQSManagedSSE], "encrypted at rest without a key")
	for url, attrs := range before {
		if !strings.HasPrefix(url, "arn:") { // queues, not subscriptions and topics
			assert.True(t, topology.RefusesInsecureTransport(attrs["Policy"], attrs["QueueArn"]), "queue %s refuses requests without TLS", url)
		}
	}
	for _, arn := range []string{pubARN, sub.TopicARN} {
		assert.True(t, topology.TopicRefusesInsecureTransport(before[arn]["Policy"], arn), "topic %s refuses publishing without TLS", arn)
	}
	assert.Equal(t, "Ops", policyStatements(t, before[pubARN]["Policy"])[0]["Sid"], "the topic's statement is kept")
	_, err = applyTopology(t, c, topology.ProvisionValidate, opts, n.binding())
	assert.NoError(t, err, "validate finds what create made")

	subAttrs := subscriptionOf(t, before, sub.TopicARN)
	assert.Equal(t, "true", subAttrs["RawMessageDelivery"])
	assert.JSONEq(t, `{"sf_type":["it.Paid"]}`, subAttrs["FilterPolicy"])
	assert.NotEmpty(t, first[n.published].TopicARN)
}

// createTopicWithPolicy creates topic name with the access policy policy
// and returns its ARN.
func createTopicWithPolicy(t *testing.T, c rawClients, name, policy string) string {
	t.Helper()
	out, err := c.sns.CreateTopic(context.Background(), &sns.CreateTopicInput{
		Name: aws.String(name), Attributes: map[string]string{"Policy": policy},
	})
	require.NoError(t, err)
	return aws.ToString(out.TopicArn)
}

func queueARN(t *testing.T, c rawClients, url string) string {
	t.Helper()
	res, err := c.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	require.NoError(t, err)
	return res.Attributes["QueueArn"]
}

// assertRedrive compares the policy as AWS reports it; maxReceiveCount may
// come back as a number or a string.
func assertRedrive(t *testing.T, policy, dlqARN string, maxReceive int) {
	t.Helper()
	var rp map[string]any
	require.NoError(t, json.Unmarshal([]byte(policy), &rp), policy)
	assert.Equal(t, dlqARN, rp["deadLetterTargetArn"])
	assert.Equal(t, fmt.Sprint(maxReceive), fmt.Sprint(rp["maxReceiveCount"]))
}

func policyStatements(t *testing.T, policy string) []map[string]any {
	t.Helper()
	var doc struct{ Statement []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(policy), &doc), policy)
	return doc.Statement
}

func subscriptionOf(t *testing.T, snap map[string]map[string]string, topicARN string) map[string]string {
	t.Helper()
	for k, v := range snap {
		if strings.HasPrefix(k, topicARN+":") {
			return v
		}
	}
	t.Fatalf("no subscription on %s", topicARN)
	return nil
}

func TestAWSTopology_ValidateReportsDriftAndChangesNothing(t *testing.T) {
	c := newRawClients(t)
	n := newTopologyNames("drift")
	ctx := context.Background()
	eps, err := applyTopology(t, c, topology.ProvisionCreate, topology.Options{}, n.binding())
	require.NoError(t, err)
	cmd, sub := eps[n.commands], eps[n.subscribed]
	dlqARN := queueARN(t, c, cmd.DLQURL)
	_, err = c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{
		QueueUrl:   aws.String(cmd.QueueURL),
		Attributes: map[string]string{"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":9}`, dlqARN)},
	})
	require.NoError(t, err)
	subs, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(sub.TopicARN)})
	require.NoError(t, err)
	require.Len(t, subs.Subscriptions, 1)
	_, err = c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn})
	require.NoError(t, err)
	pub := eps[n.published].TopicARN
	_, err = c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{ // the TLS statement dropped
		TopicArn: aws.String(pub), AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"*"},` +
			`"Action":"sns:GetTopicAttributes","Resource":"` + pub + `"}]}`),
	})
	require.NoError(t, err)
	before := snapshot(t, c, eps)

	_, err = applyTopology(t, c, topology.ProvisionValidate, topology.Options{}, n.binding())

	var drift *topology.DriftError
	require.True(t, errors.As(err, &drift), "want a DriftError, got %v", err)
	report := drift.Report.String()
	assert.Contains(t, report, "queue "+n.commands+": RedrivePolicy is")
	assert.Contains(t, report, "subscription "+n.subscribed+" -> "+n.eventQueue()+": missing")
	assert.Contains(t, report, "topic "+n.published+": Policy does not refuse publishing without TLS")
	assert.Len(t, drift.Report.Drifts, 3, report)
	assert.Equal(t, before, snapshot(t, c, eps), "validate changed nothing")
}

func TestAWSTopology_AssumeResolvesWithoutWriting(t *testing.T) {
	c := newRawClients(t)
	n := newTopologyNames("assume")
	_, err := applyTopology(t, c, topology.ProvisionAssume, topology.Options{}, n.binding())
	require.ErrorIs(t, err, topology.ErrNotFound, "nothing exists yet and assume creates nothing")
	_, err = c.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(n.commands)})
	require.Error(t, err, "assume created a queue")

	created, err := applyTopology(t, c, topology.ProvisionCreate, topology.Options{}, n.binding())
	require.NoError(t, err)
	assumed, err := applyTopology(t, c, topology.ProvisionAssume, topology.Options{}, n.binding())
	require.NoError(t, err)
	assert.Equal(t, created, assumed)
}
