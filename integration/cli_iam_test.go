//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Message types of the IAM test's service.
type (
	// IAMPay is handled by the service; a negative amount always fails.
	IAMPay struct {
		Amount int `json:"amount"`
	}
	// IAMShip goes to a queue the service only sends to.
	IAMShip struct{}
	// IAMPaid is raised by the IAMPay handler on a topic the service listens to.
	IAMPaid struct {
		Amount int `json:"amount"`
	}
	// IAMAudited goes to a topic the service only publishes to.
	IAMAudited struct{}
	// IAMTotal is the saga and view state.
	IAMTotal struct {
		Amount int `json:"amount"`
	}
)

// awsCall is one recorded SDK call: the IAM action that authorizes it and
// the ARN it targets.
type awsCall struct{ action, resource string }

// callRecorder records every call of the SDK clients built from the
// aws.Config it instruments.
type callRecorder struct {
	account string
	mu      sync.Mutex
	calls   []awsCall
}

func (r *callRecorder) instrument(cfg aws.Config) aws.Config {
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("iamCallRecorder", r.record), middleware.After)
	})
	return cfg
}

func (r *callRecorder) record(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	middleware.InitializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleInitialize(ctx, in)
	service := strings.ToLower(awsmiddleware.GetServiceID(ctx))
	// IAM authorizes a batch call as its single form (PublishBatch as
	// sns:Publish).
	action := service + ":" + strings.TrimSuffix(awsmiddleware.GetOperationName(ctx), "Batch")
	c := awsCall{action: action, resource: r.resource(service, awsmiddleware.GetRegion(ctx), in.Parameters, out.Result)}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return out, md, err
}

// resource returns the ARN a call targets: the queue of its QueueUrl or
// QueueName, its topic or subscription ARN, or, for KMS, the key ARN the
// answer names (IAM authorizes KMS calls on the key, whatever alias the
// request used). "" when unknown, which no policy allows.
func (r *callRecorder) resource(service, region string, params, result any) string {
	switch service {
	case "kms":
		if id := stringField(result, "KeyId"); id != "" {
			return id
		}
		return stringField(fieldOf(result, "KeyMetadata"), "Arn")
	case "sts":
		return "*"
	}
	// A queue URL ends in "/<account>/<name>" (LocalStack may put
	// "/queue/<region>" before them).
	if u, err := url.Parse(stringField(params, "QueueUrl")); err == nil && u.Path != "" {
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) >= 2 {
			return "arn:aws:sqs:" + region + ":" + parts[len(parts)-2] + ":" + parts[len(parts)-1]
		}
	}
	if name := stringField(params, "QueueName"); name != "" {
		return "arn:aws:sqs:" + region + ":" + r.account + ":" + name
	}
	for _, f := range []string{"TopicArn", "SubscriptionArn"} {
		if v := stringField(params, f); v != "" {
			return v
		}
	}
	return stringField(result, "TopicArn") // CreateTopic names the topic by its answer
}

// fieldOf returns field name of the struct x points to, or nil when x is
// nil (a failed call has no result) or has no such field.
func fieldOf(x any, name string) any {
	v := reflect.Indirect(reflect.ValueOf(x))
	if v.Kind() != reflect.Struct {
		return nil
	}
	if f := v.FieldByName(name); f.IsValid() && f.CanInterface() {
		return f.Interface()
	}
	return nil
}

// stringField returns the string field name of the struct x points to, or
// "" when x is nil or the field is missing or nil: a resource no policy
// allows, so a call it stands for fails the check.
func stringField(x any, name string) string {
	v := reflect.Indirect(reflect.ValueOf(x))
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName(name); f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
		return f.Elem().String()
	}
	return ""
}

func (r *callRecorder) recorded() []awsCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func (r *callRecorder) has(action, resource string) bool {
	return slices.Contains(r.recorded(), awsCall{action: action, resource: resource})
}

// iamAllows evaluates pol as IAM does for one request: some Allow statement
// names the action exactly, a Resource matches the ARN ('*' matches any
// run of characters) and its Condition holds for the request's context
// keys. sts:GetCallerIdentity needs no permission in IAM.
func iamAllows(pol topology.IAMPolicy, c awsCall, context map[string][]string) bool {
	if c.action == "sts:GetCallerIdentity" {
		return true
	}
	for _, s := range pol.Statement {
		if s.Effect == "Allow" && slices.Contains(s.Action, c.action) &&
			slices.ContainsFunc(s.Resource, func(p string) bool { return wildcardMatch(p, c.resource) }) &&
			conditionHolds(s.Condition, context) {
			return true
		}
	}
	return false
}

func wildcardMatch(pattern, s string) bool {
	return regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$").MatchString(s)
}

// conditionHolds supports the one operator the generated policy uses;
// any other fails closed.
func conditionHolds(cond map[string]map[string][]string, context map[string][]string) bool {
	for op, keys := range cond {
		if op != "ForAnyValue:StringEquals" {
			return false
		}
		for key, want := range keys {
			if !slices.ContainsFunc(context[key], func(v string) bool { return slices.Contains(want, v) }) {
				return false
			}
		}
	}
	return true
}

// iamRig is a service on a recorded awsbus transport with encryption that
// uses every kind of destination: a listened command queue, a queue it only
// sends to, a listened topic and a topic it only publishes to.
type iamRig struct {
	svc               *cqrs.Service
	tr                *awsbus.Transport
	commands, ship    string
	events, audit     string
	keyARN, alias     string
	region, account   string
	projected, failed atomic.Int64
}

func newIAMRig(t *testing.T, rec *callRecorder) *iamRig {
	t.Helper()
	r := &iamRig{commands: uniqueName("iam-pay", ""), ship: uniqueName("iam-ship", ".fifo"),
		events: uniqueName("iam-paid", ""), audit: uniqueName("iam-audit", "")}
	kmsClient, keyID, alias := encKMS(t)
	key, err := kmsClient.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	require.NoError(t, err)
	r.keyARN, r.alias = aws.ToString(key.KeyMetadata.Arn), alias
	cfg := rec.instrument(awsConfig(t))
	r.region, r.account = cfg.Region, rec.account
	tr, err := awsbus.NewTransportFromAWS(cfg, awsbus.Config{
		ConsumerConfig:  awsbus.ConsumerConfig{WaitTime: time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: 5 * time.Second},
		MaxReceiveCount: 2, KMSKeyID: alias,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tr.Close()) })
	enc, err := awsbus.NewEncryption(kms.NewFromConfig(cfg), tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{
		Name: uniqueName("iam", ""), Transport: tr, Listen: []string{r.commands, r.events}, CloseTimeout: 10 * time.Second,
		HandlerMiddleware:   []message.HandlerMiddleware{enc.Decrypter.Middleware},
		PublisherDecorators: []message.PublisherDecorator{enc.Encrypter.DecoratePublisher},
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	r.svc, r.tr = svc, tr
	r.register(t)
	return r
}

// register routes a type to each destination; IAMPay raises IAMPaid, or
// fails for a negative amount, and IAMPaid is projected.
func (r *iamRig) register(t *testing.T) {
	t.Helper()
	require.NoError(t, cqrs.RegisterCommand[IAMPay](r.svc, "iam.Pay", r.commands))
	require.NoError(t, cqrs.RegisterCommand[IAMShip](r.svc, "iam.Ship", r.ship))
	require.NoError(t, cqrs.RegisterEvent[IAMPaid](r.svc, "iam.Paid", r.events))
	require.NoError(t, cqrs.RegisterEvent[IAMAudited](r.svc, "iam.Audited", r.audit))
	saga := cqrs.NewSaga[IAMTotal](r.svc, "iam-pay")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, s *IAMTotal, c IAMPay, _ cqrs.Envelope) ([]any, error) {
		if c.Amount < 0 {
			r.failed.Add(1)
			return nil, errors.New("payment refused")
		}
		s.Amount += c.Amount
		return []any{IAMPaid(c)}, nil
	}))
	view := cqrs.NewView[IAMTotal](r.svc, "iam-paid")
	require.NoError(t, cqrs.Project(view, func(_ context.Context, v *IAMTotal, e IAMPaid, _ cqrs.Envelope) error {
		r.projected.Add(1)
		v.Amount += e.Amount
		return nil
	}))
}

// exercise provisions (create mode), sends to both queues, publishes to
// both topics, receives and handles, fails one command until the transport
// dead-letters it, reads the queue depths and checks health.
func (r *iamRig) exercise(t *testing.T, rec *callRecorder) {
	t.Helper()
	startModel(t, r.svc)
	ctx := context.Background()
	_, err := cqrs.NewAggregate(r.svc, "iam-pay").Send(ctx, "order-1", IAMPay{Amount: 5})
	require.NoError(t, err)
	_, err = cqrs.NewAggregate(r.svc, "iam-pay").Send(ctx, "order-2", IAMPay{Amount: -1})
	require.NoError(t, err)
	_, err = cqrs.NewAggregate(r.svc, "iam-ship").Send(ctx, "order-1", IAMShip{})
	require.NoError(t, err)
	_, err = r.svc.EventQueue().Raise(ctx, "order-1", IAMAudited{})
	require.NoError(t, err)

	dlq := r.queueARN(topology.DLQName(r.commands))
	if !assert.Eventually(t, func() bool { return rec.has("sqs:SendMessage", dlq) }, badPatience, 200*time.Millisecond,
		"the transport dead-letters the failing command itself") {
		t.Fatalf("the failing command ran %d times; distinct calls so far: %v", r.failed.Load(), distinctCalls(rec.recorded()))
	}
	require.Eventually(t, func() bool { return r.projected.Load() > 0 }, snsPatience, 200*time.Millisecond,
		"the raised event is projected")
	listened, _ := r.tr.Plan().Destination(r.events)
	eventQueue := r.queueARN(listened.Queue)
	require.Eventually(t, func() bool { return rec.has("sqs:DeleteMessage", eventQueue) }, badPatience,
		200*time.Millisecond, "the handled event is deleted")
	_, err = r.tr.Depths(ctx)
	require.NoError(t, err)
	rep := r.tr.Health(ctx)
	require.Equal(t, topology.HealthUp, rep.Status, "%+v", rep.Checks)
	assert.GreaterOrEqual(t, r.failed.Load(), int64(2), "the failing command ran on every allowed receive")
}

func (r *iamRig) queueARN(name string) string {
	return "arn:aws:sqs:" + r.region + ":" + r.account + ":" + name
}

// iamPolicyFromCLI writes the service's topology file and returns the
// policy `sourceflow iam-policy` prints for it.
func (r *iamRig) iamPolicyFromCLI(t *testing.T) topology.IAMPolicy {
	t.Helper()
	f, err := topology.NewFile(r.svc.Binding(), topology.Options{
		VisibilityTimeout: 10 * time.Second, WaitTime: time.Second, MaxReceiveCount: 2, KMSKeyID: r.alias,
	})
	require.NoError(t, err)
	filePlan, err := f.Plan()
	require.NoError(t, err)
	require.Equal(t, r.tr.Plan(), filePlan, "the file describes the transport's plan")
	var text bytes.Buffer
	require.NoError(t, f.Encode(&text))
	path := filepath.Join(t.TempDir(), "iam.topology.yaml")
	require.NoError(t, os.WriteFile(path, text.Bytes(), 0o600))
	out, errOut, code := runCLI(t, "iam-policy", "-f", path, "--service", f.Service,
		"--account-id", r.account, "--region", r.region, "--provisioning", "create")
	require.Equal(t, cli.ExitOK, code, errOut)
	var pol topology.IAMPolicy
	require.NoError(t, json.Unmarshal([]byte(out), &pol))
	return pol
}

// TestCLIIAMPolicyAllowsEveryCallOfTheTransport records every AWS call a
// real transport makes while it provisions, sends, publishes, receives,
// dead-letters, reads depths and checks health, and checks that the policy
// `sourceflow iam-policy` prints allows each one, and that each recorded
// action is needed: without it the policy denies a recorded call.
func TestCLIIAMPolicyAllowsEveryCallOfTheTransport(t *testing.T) {
	rec := &callRecorder{account: emulatorAccount(t)}
	r := newIAMRig(t, rec)
	r.exercise(t, rec)
	pol := r.iamPolicyFromCLI(t)
	calls := rec.recorded()
	// The request context of a call on the test's key: its alias.
	keyContext := func(c awsCall) map[string][]string {
		if c.resource == r.keyARN {
			return map[string][]string{"kms:ResourceAliases": {r.alias}}
		}
		return nil
	}

	assert.Empty(t, deniedCalls(pol, calls, keyContext), "calls the policy does not allow")
	actions := distinctActions(calls)
	for _, want := range []string{"sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:GetQueueUrl", "sqs:GetQueueAttributes",
		"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
		"sns:CreateTopic", "sns:ListSubscriptionsByTopic", "sns:Subscribe", "sns:Publish", "sns:GetTopicAttributes",
		"kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"} {
		assert.Contains(t, actions, want, "the test exercises %s", want)
	}
	for _, a := range actions {
		assert.NotEmpty(t, deniedCalls(withoutAction(pol, a), calls, keyContext), "without %s a call is denied", a)
	}
	t.Logf("checked %d calls (%d actions, %d distinct calls) against %d statements",
		len(calls), len(actions), len(distinctCalls(calls)), len(pol.Statement))

	assert.False(t, iamAllows(pol, awsCall{"sqs:DeleteQueue", r.queueARN(r.commands)}, nil), "an action not granted")
	assert.False(t, iamAllows(pol, awsCall{"sqs:SendMessage", r.queueARN("someone-else")}, nil), "a queue not granted")
	assert.False(t, iamAllows(pol, awsCall{"kms:Decrypt", r.keyARN}, nil), "a key without the alias")
}

func deniedCalls(pol topology.IAMPolicy, calls []awsCall, context func(awsCall) map[string][]string) []awsCall {
	var out []awsCall
	for _, c := range calls {
		if !iamAllows(pol, c, context(c)) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func distinctCalls(calls []awsCall) []awsCall {
	var out []awsCall
	for _, c := range calls {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func distinctActions(calls []awsCall) []string {
	var out []string
	for _, c := range calls {
		if c.action != "sts:GetCallerIdentity" {
			out = append(out, c.action)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// withoutAction returns pol with action removed from every statement.
func withoutAction(pol topology.IAMPolicy, action string) topology.IAMPolicy {
	out := topology.IAMPolicy{Version: pol.Version}
	for _, s := range pol.Statement {
		s.Action = slices.DeleteFunc(slices.Clone(s.Action), func(a string) bool { return a == action })
		out.Statement = append(out.Statement, s)
	}
	return out
}

// A call that failed has no result: its resource is "", which no policy
// allows, instead of a panic in the recorder.
func TestCLIIAMRecorderNamesNoResourceForAFailedCall(t *testing.T) {
	r := &callRecorder{account: "000000000000"}
	for _, result := range []any{nil, (*kms.DescribeKeyOutput)(nil), &kms.DescribeKeyOutput{}} {
		assert.Empty(t, r.resource("kms", "us-east-1", &kms.DescribeKeyInput{KeyId: aws.String("alias/x")}, result))
	}
}
