package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// readUnanswered is the cause of health's topology read cut short by
// readWatch: the call to service that went unanswered for
// --check-timeout, and its error.
type readUnanswered struct {
	service string
	bound   time.Duration
	err     error
}

// Error implements error.
func (e *readUnanswered) Error() string {
	return fmt.Sprintf("%s did not answer the topology read within --check-timeout (%s): %v", e.service, e.bound, e.err)
}

// Unwrap returns the call's error.
func (e *readUnanswered) Unwrap() error { return e.err }

// readWatch bounds each call of health's topology read by bound
// (--check-timeout) and, once one went unanswered that long, cuts the
// whole read with cut, its cause a *readUnanswered naming service (the
// client's), so that an endpoint that never answers costs the read one
// --check-timeout, not one per resource.
type readWatch struct {
	bound   time.Duration
	cut     context.CancelCauseFunc
	service string
}

// watched runs call within w's bound, and cuts the read when the bound
// ended it.
func watched[O any](ctx context.Context, w readWatch, call func(context.Context) (O, error)) (O, error) {
	cctx, cancel := context.WithTimeout(ctx, w.bound)
	defer cancel()
	out, err := call(cctx)
	if err != nil && errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		w.cut(&readUnanswered{service: w.service, bound: w.bound, err: err})
	}
	return out, err
}

// probeService is the service whose client a probe of kind calls: SNS
// for a topic, SQS for a queue or a dead-letter queue.
func probeService(kind string) string {
	if kind == "topic" {
		return sns.ServiceID
	}
	return sqs.ServiceID
}

// skipUnanswered makes each probe of the service that left the read
// unanswered (u, nil when none did) fail at once with u, whose text (the
// service, the bound and the call's error) its row says, instead of
// waiting --check-timeout on the same endpoint again, in waves of
// topology.MaxParallelReads.
func skipUnanswered(probes []topology.Probe, u *readUnanswered) {
	if u == nil {
		return
	}
	for i, p := range probes {
		if probeService(p.Kind) == u.service {
			probes[i].Run = func(context.Context) error { return u }
		}
	}
}

// watchedClients returns clients whose read calls a readWatch of their
// service watches, with bound and cut; the others, which a read does not
// make, are the clients' own. An absent optional client stays absent.
func watchedClients(c Clients, bound time.Duration, cut context.CancelCauseFunc) Clients {
	watch := func(service string) readWatch { return readWatch{bound: bound, cut: cut, service: service} }
	c.SQS = watchedSQS{SQSAPI: c.SQS, w: watch(sqs.ServiceID)}
	c.SNS = watchedSNS{SNSAPI: c.SNS, w: watch(sns.ServiceID)}
	if c.STS != nil {
		c.STS = watchedSTS{api: c.STS, w: watch(sts.ServiceID)}
	}
	if c.KMS != nil {
		c.KMS = watchedKMS{KMSAPI: c.KMS, w: watch(kms.ServiceID)}
	}
	if c.DynamoDB != nil {
		c.DynamoDB = watchedTables{TablesAPI: c.DynamoDB, w: watch(dynamodb.ServiceID)}
	}
	return c
}

type watchedSQS struct {
	topology.SQSAPI
	w readWatch
}

// GetQueueUrl is the client's, watched.
func (c watchedSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, o ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sqs.GetQueueUrlOutput, error) { return c.SQSAPI.GetQueueUrl(ctx, in, o...) })
}

// GetQueueAttributes is the client's, watched.
func (c watchedSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, o ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sqs.GetQueueAttributesOutput, error) {
		return c.SQSAPI.GetQueueAttributes(ctx, in, o...)
	})
}

// ListQueueTags is the client's, watched.
func (c watchedSQS) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, o ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sqs.ListQueueTagsOutput, error) {
		return c.SQSAPI.ListQueueTags(ctx, in, o...)
	})
}

type watchedSNS struct {
	topology.SNSAPI
	w readWatch
}

// GetTopicAttributes is the client's, watched.
func (c watchedSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, o ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sns.GetTopicAttributesOutput, error) {
		return c.SNSAPI.GetTopicAttributes(ctx, in, o...)
	})
}

// ListTagsForResource is the client's, watched.
func (c watchedSNS) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, o ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sns.ListTagsForResourceOutput, error) {
		return c.SNSAPI.ListTagsForResource(ctx, in, o...)
	})
}

// ListSubscriptionsByTopic is the client's, watched.
func (c watchedSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, o ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sns.ListSubscriptionsByTopicOutput, error) {
		return c.SNSAPI.ListSubscriptionsByTopic(ctx, in, o...)
	})
}

// GetSubscriptionAttributes is the client's, watched.
func (c watchedSNS) GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, o ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sns.GetSubscriptionAttributesOutput, error) {
		return c.SNSAPI.GetSubscriptionAttributes(ctx, in, o...)
	})
}

type watchedSTS struct {
	api topology.STSAPI
	w   readWatch
}

// GetCallerIdentity is the client's, watched.
func (c watchedSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, o ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
		return c.api.GetCallerIdentity(ctx, in, o...)
	})
}

type watchedKMS struct {
	topology.KMSAPI
	w readWatch
}

// DescribeKey is the client's, watched.
func (c watchedKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*kms.DescribeKeyOutput, error) { return c.KMSAPI.DescribeKey(ctx, in, o...) })
}

// GetKeyPolicy is the client's, watched.
func (c watchedKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, o ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*kms.GetKeyPolicyOutput, error) {
		return c.KMSAPI.GetKeyPolicy(ctx, in, o...)
	})
}

type watchedTables struct {
	topology.TablesAPI
	w readWatch
}

// DescribeTable is the client's, watched.
func (c watchedTables) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, o ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*dynamodb.DescribeTableOutput, error) {
		return c.TablesAPI.DescribeTable(ctx, in, o...)
	})
}

// DescribeTimeToLive is the client's, watched.
func (c watchedTables) DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, o ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*dynamodb.DescribeTimeToLiveOutput, error) {
		return c.TablesAPI.DescribeTimeToLive(ctx, in, o...)
	})
}

// ListTagsOfResource is the client's, watched.
func (c watchedTables) ListTagsOfResource(ctx context.Context, in *dynamodb.ListTagsOfResourceInput, o ...func(*dynamodb.Options)) (*dynamodb.ListTagsOfResourceOutput, error) {
	return watched(ctx, c.w, func(ctx context.Context) (*dynamodb.ListTagsOfResourceOutput, error) {
		return c.TablesAPI.ListTagsOfResource(ctx, in, o...)
	})
}
