package topology_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Team A's resources, in another account and region than the fakes'.
const (
	foreignTopicARN = "arn:aws:sns:eu-west-1:111111111111:order-events"
	foreignQueueARN = "arn:aws:sqs:eu-west-1:111111111111:orders-commands"
)

// billingBinding subscribes billing's own queue to topic and sends
// ConfirmPayment to queue, both named by ARN.
func billingBinding(topic, queue string) sourceflow.Binding {
	return sourceflow.Binding{Service: "billing",
		Routes: []sourceflow.Route{{Type: "orders.ConfirmPayment", Kind: sourceflow.KindCommand, Destination: queue}},
		Listeners: []sourceflow.Listener{{Destination: topic, Kind: sourceflow.KindEvent,
			Types: []string{"orders.OrderPlaced"}}}}
}

func TestTopology_ForeignDestinationsAreRecordedNotPlannedForCreation(t *testing.T) {
	p, err := topology.New(billingBinding(foreignTopicARN, foreignQueueARN), topology.Options{})
	require.NoError(t, err)

	assert.Equal(t, []topology.Foreign{
		{ARN: foreignTopicARN, Kind: sourceflow.KindEvent, Name: "order-events", Region: "eu-west-1", Account: "111111111111"},
		{ARN: foreignQueueARN, Kind: sourceflow.KindCommand, Name: "orders-commands", Region: "eu-west-1", Account: "111111111111"},
	}, p.Foreign)
	assert.Empty(t, p.Topics, "no topic of billing's own")
	require.Len(t, p.Queues, 1, "billing's event queue only, no queue named like A's")
	assert.Equal(t, "billing-order-events", p.Queues[0].Name, "named from the topic's name")
	assert.True(t, p.Queues[0].Owned)
	assert.Equal(t, []topology.Subscription{{Topic: foreignTopicARN, Queue: "billing-order-events",
		DLQ: "billing-order-events-dlq", FilterTypes: []string{"orders.OrderPlaced"}}}, p.Subscriptions)
	assert.Equal(t, []topology.Policy{
		{Queue: "billing-order-events", Topics: []string{foreignTopicARN}},
		{Queue: "billing-order-events-dlq", Topics: []string{foreignTopicARN}},
	}, p.Policies)
	cmd, ok := p.Destination(foreignQueueARN)
	require.True(t, ok)
	assert.Equal(t, topology.Destination{Name: foreignQueueARN, Kind: sourceflow.KindCommand, Routed: true}, cmd)
}

// regionLog records the region each call on an ARN of another account
// goes to, as its call options set it over the clients' region.
type regionLog struct {
	mu    sync.Mutex
	calls map[string]string // "GetQueueUrl orders-commands 111111111111" → region
	made  []string          // CreateQueue and CreateTopic names
}

func (l *regionLog) add(call, region string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[call] = region
}

func (l *regionLog) create(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.made = append(l.made, name)
}

type regionSQS struct {
	*awsbustest.SQS
	log *regionLog
}

func (s regionSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	o := sqs.Options{Region: "us-east-1"}
	for _, f := range opts {
		f(&o)
	}
	if in.QueueOwnerAWSAccountId != nil {
		s.log.add("GetQueueUrl "+aws.ToString(in.QueueName)+" "+aws.ToString(in.QueueOwnerAWSAccountId), o.Region)
	}
	return s.SQS.GetQueueUrl(ctx, in, opts...)
}

func (s regionSQS) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	s.log.create(aws.ToString(in.QueueName))
	return s.SQS.CreateQueue(ctx, in, opts...)
}

type regionSNS struct {
	*awsbustest.SNS
	log *regionLog
}

func (s regionSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	o := sns.Options{Region: "us-east-1"}
	for _, f := range opts {
		f(&o)
	}
	s.log.add("GetTopicAttributes "+aws.ToString(in.TopicArn), o.Region)
	return s.SNS.GetTopicAttributes(ctx, in, opts...)
}

func (s regionSNS) CreateTopic(ctx context.Context, in *sns.CreateTopicInput, opts ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	s.log.create(aws.ToString(in.Name))
	return s.SNS.CreateTopic(ctx, in, opts...)
}

func regionProvisioner(t *testing.T, sq *awsbustest.SQS, sn *awsbustest.SNS) (*topology.Provisioner, *regionLog) {
	t.Helper()
	log := &regionLog{calls: map[string]string{}}
	p, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: regionSQS{sq, log}, SNS: regionSNS{sn, log},
		Region: sq.Region(), AccountID: sq.AccountID()})
	require.NoError(t, err)
	return p, log
}

// A destination of another account that does not exist is not created,
// nor is one of its name in the service's account: Create and Assume fail
// with ErrNotFound naming the ARN and its owner, Validate reports each by
// its ARN, and every call on them goes to their region.
func TestTopology_MissingForeignDestinationsAreNeverCreated(t *testing.T) {
	sq, sn := newFakes()
	prov, log := regionProvisioner(t, sq, sn)
	p, err := topology.New(billingBinding(foreignTopicARN, foreignQueueARN), topology.Options{})
	require.NoError(t, err)
	ctx := context.Background()

	_, err = prov.Create(ctx, p)
	require.ErrorIs(t, err, topology.ErrNotFound)
	assert.ErrorContains(t, err, foreignQueueARN)
	assert.ErrorContains(t, err, foreignTopicARN)
	assert.ErrorContains(t, err, "account 111111111111 creates it in eu-west-1")
	assert.Empty(t, log.made, "nothing is created, billing's own queues included, when A's resources are missing")
	assert.Equal(t, map[string]string{
		"GetQueueUrl orders-commands 111111111111": "eu-west-1",
		"GetTopicAttributes " + foreignTopicARN:    "eu-west-1",
	}, log.calls, "A's resources are asked for in their region, the queue with its owner's account")

	_, err = prov.Assume(ctx, p)
	require.ErrorIs(t, err, topology.ErrNotFound)

	report, _, err := prov.Validate(ctx, p)
	require.NoError(t, err)
	var foreign []string
	for _, d := range report.Drifts {
		if d.Name == foreignQueueARN || d.Name == foreignTopicARN {
			foreign = append(foreign, d.Resource+" "+d.Name)
			assert.Contains(t, d.Problem, "missing: account 111111111111 creates it in eu-west-1")
		}
	}
	assert.ElementsMatch(t, []string{"queue " + foreignQueueARN, "topic " + foreignTopicARN}, foreign, "drifts: %v", report)
}

// sharedByA is team A's topic and queue, made in the fakes' account and
// region, and billing's plan naming them by ARN.
type sharedByA struct {
	sq                 *awsbustest.SQS
	sn                 *awsbustest.SNS
	topicARN, queueARN string
	queueURL           string
	plan               topology.Plan
}

func newSharedByA(t *testing.T) sharedByA {
	t.Helper()
	ctx := context.Background()
	a := sharedByA{}
	a.sq, a.sn = newFakes()
	topic, err := a.sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("order-events")})
	require.NoError(t, err)
	queue, err := a.sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-commands")})
	require.NoError(t, err)
	a.topicARN, a.queueURL = aws.ToString(topic.TopicArn), aws.ToString(queue.QueueUrl)
	a.queueARN = queueAttrs(t, a.sq, a.queueURL)["QueueArn"]
	a.plan, err = topology.New(billingBinding(a.topicARN, a.queueARN), topology.Options{})
	require.NoError(t, err)
	return a
}

// A destination named by ARN that exists is resolved, not created: the
// queue by GetQueueUrl naming its owner, the topic by its ARN, to which
// the service's own event queue is subscribed with raw delivery, its
// filter, and a queue policy naming that topic.
func TestTopology_ForeignDestinationsAreResolvedAndSubscribedTo(t *testing.T) {
	ctx := context.Background()
	a := newSharedByA(t)
	sq, sn, topicARN, queueARN, p := a.sq, a.sn, a.topicARN, a.queueARN, a.plan
	prov, log := regionProvisioner(t, sq, sn)

	eps, err := prov.Create(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, a.queueURL, eps[queueARN].QueueURL)
	assert.Equal(t, sq.Region(), eps[queueARN].Region)
	assert.Equal(t, topicARN, eps[topicARN].TopicARN)
	assert.ElementsMatch(t, []string{"billing-order-events", "billing-order-events-dlq"}, log.made)
	sub := subscriptionAttrs(t, sn, topicARN)
	assert.Equal(t, "true", sub["RawMessageDelivery"])
	assert.JSONEq(t, `{"sf_type":["orders.OrderPlaced"]}`, sub["FilterPolicy"])
	assert.Contains(t, queueAttrs(t, sq, eps[topicARN].QueueURL)["Policy"], topicARN)

	report, veps, err := prov.Validate(ctx, p)
	require.NoError(t, err)
	assert.True(t, report.OK(), "drifts: %v", report)
	assert.Equal(t, eps, veps)
	aeps, err := prov.Assume(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, eps[queueARN], aeps[queueARN])
	assert.Equal(t, eps[topicARN].TopicARN, aeps[topicARN].TopicARN)
}

// The IAM policy names A's queue and topic by their ARNs: sending to the
// queue, subscribing to the topic in create mode, and the reads that
// resolve them, in statements of their own class.
func TestTopology_IAMPolicyGrantsForeignDestinationsByARN(t *testing.T) {
	b := billingBinding(foreignTopicARN, foreignQueueARN)
	b.Routes = append(b.Routes, sourceflow.Route{Type: "billing.Invoiced", Kind: sourceflow.KindEvent,
		Destination: "arn:aws:sns:us-west-2:111111111111:invoices"})
	p, err := topology.New(b, topology.Options{})
	require.NoError(t, err)
	pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: "222222222222", Region: "us-east-1"})
	require.NoError(t, err)

	granted := map[string][]string{}
	for _, st := range pol.Statement {
		for _, r := range st.Resource {
			granted[r] = append(granted[r], st.Action...)
		}
		if slices.Contains(st.Resource, foreignQueueARN) {
			assert.Equal(t, "CommandForeignQueues", st.Sid)
		}
	}
	assert.ElementsMatch(t, []string{"sqs:GetQueueUrl", "sqs:SendMessage"}, granted[foreignQueueARN])
	assert.ElementsMatch(t, []string{"sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
		"sns:SetSubscriptionAttributes", "sns:Subscribe"}, granted[foreignTopicARN])
	assert.ElementsMatch(t, []string{"sns:GetTopicAttributes", "sns:Publish"}, granted["arn:aws:sns:us-west-2:111111111111:invoices"])
	assert.NotContains(t, granted, "arn:aws:sqs:us-east-1:222222222222:orders-commands", "nothing on a queue of A's name in B's account")
	assert.NotContains(t, granted, "arn:aws:sns:us-east-1:222222222222:order-events")
}

// The health of a service's resources covers the topic and queue of
// another account it names: each is up while it exists, down once gone.
func TestResourceProbes_CheckForeignDestinationsByARN(t *testing.T) {
	ctx := context.Background()
	a := newSharedByA(t)
	sq, sn, topicARN, queueARN, p := a.sq, a.sn, a.topicARN, a.queueARN, a.plan
	prov, _ := regionProvisioner(t, sq, sn)
	eps, err := prov.Create(ctx, p)
	require.NoError(t, err)

	status := func() map[string]topology.HealthStatus {
		out := map[string]topology.HealthStatus{}
		for _, c := range topology.RunProbes(ctx, 5*time.Second, prov.ResourceProbes(p, eps)) {
			out[c.Kind+" "+c.Name] = c.Status
		}
		return out
	}
	assert.Equal(t, topology.HealthUp, status()["topic "+topicARN])
	assert.Equal(t, topology.HealthUp, status()["queue "+queueARN])

	sq.FailNext("GetQueueUrl", 1, &sqstypes.QueueDoesNotExist{Message: aws.String("gone")})
	assert.Equal(t, topology.HealthDown, status()["queue "+queueARN], "once the queue is gone")
}

// A topic whose owner has not shared it with the service's account: the
// refusal names what the owner must grant; Validate reports the topic not
// reachable rather than failing.
func TestTopology_ARefusedForeignTopicNamesTheGrantsItsOwnerGives(t *testing.T) {
	sq, sn := newFakes()
	prov, _ := regionProvisioner(t, sq, sn)
	p, err := topology.New(billingBinding(foreignTopicARN, foreignQueueARN), topology.Options{})
	require.NoError(t, err)
	denied := &smithy.GenericAPIError{Code: "AuthorizationError", Message: "not authorized to perform: SNS:GetTopicAttributes"}

	sn.FailNext("GetTopicAttributes", 1, denied)
	_, err = prov.Create(context.Background(), p)
	require.ErrorAs(t, err, new(*smithy.GenericAPIError))
	assert.ErrorContains(t, err, "account 111111111111 owns topic "+foreignTopicARN+": it must grant this account "+
		"sns:GetTopicAttributes, and sns:Subscribe and sns:ListSubscriptionsByTopic to subscribe")

	sn.FailNext("GetTopicAttributes", 1, denied)
	report, _, err := prov.Validate(context.Background(), p)
	require.NoError(t, err)
	assert.Contains(t, report.String(), "topic "+foreignTopicARN+": not reachable: ")
}

// A subscription to another account's topic whose attributes the
// service's account may not read (held in the topic owner's account, as
// LocalStack keeps it): a second Create subscribes again with the plan's
// attributes, which SNS answers with the same subscription, and Validate
// finds the subscription without failing on its attributes.
func TestTopology_AnUnreadableForeignSubscriptionIsSubscribedAgain(t *testing.T) {
	ctx := context.Background()
	a := newSharedByA(t)
	sq, sn, topicARN, p := a.sq, a.sn, a.topicARN, a.plan
	prov, _ := regionProvisioner(t, sq, sn)
	_, err := prov.Create(ctx, p)
	require.NoError(t, err)
	notFound := &smithy.GenericAPIError{Code: "NotFound", Message: "Subscription does not exist"}

	sn.FailNext("GetSubscriptionAttributes", 1, notFound)
	subscribes := sn.Calls("Subscribe")
	_, err = prov.Create(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, subscribes+1, sn.Calls("Subscribe"), "subscribed again, with the plan's attributes")
	assert.Equal(t, "true", subscriptionAttrs(t, sn, topicARN)["RawMessageDelivery"])

	sn.FailNext("GetSubscriptionAttributes", 1, notFound)
	report, _, err := prov.Validate(ctx, p)
	require.NoError(t, err)
	assert.True(t, report.OK(), "drifts: %v", report)
}
