package topology

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// topicProbe checks topic name with GetTopicAttributes on arn. An empty arn
// (the caller could not resolve it) is built, as Validate builds it, from
// the partition, region and account of ProvisionerConfig (AccountID or
// STS, and Region); without either, from the ARN of the first of queues
// that exists (queueURLs gives the URLs known). When nothing gives the
// account or the region the check is skipped, saying why: the topic is not
// known to be missing, so it is not down. A failed sts:GetCallerIdentity is
// a failed call, so the check is down.
func (t *Provisioner) topicProbe(name, arn string, queues []string, queueURLs map[string]string) Probe {
	return Probe{Name: name, Kind: "topic", Run: func(ctx context.Context) error {
		topicARN := arn
		if topicARN == "" {
			built, err := t.topicARNFor(ctx, name, newResolved())
			if unknown := unknownScopeError(""); errors.As(err, &unknown) {
				built, err = t.topicARNFor(ctx, name, t.resolvedFromQueues(ctx, queues, queueURLs))
			}
			if unknown := unknownScopeError(""); errors.As(err, &unknown) {
				return notChecked{err}
			}
			if err != nil {
				return err
			}
			topicARN = built
		}
		_, err := t.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
		return err
	}}
}

// resolvedFromQueues returns a resolved holding the ARN of the first of
// queues that exists, or none when no queue can be read.
func (t *Provisioner) resolvedFromQueues(ctx context.Context, queues []string, queueURLs map[string]string) *resolved {
	res := newResolved()
	for _, q := range queues {
		url, found := queueURLs[q], queueURLs[q] != ""
		if !found {
			var err error
			if url, found, err = t.queueURL(ctx, q); err != nil || !found {
				continue
			}
		}
		attrs, err := t.queueAttributes(ctx, q, url)
		if queueARN := attrs[string(sqstypes.QueueAttributeNameQueueArn)]; err == nil && queueARN != "" {
			res.queueARN[q] = queueARN
			return res
		}
	}
	return res
}

// notChecked is the error of a check skipped for reason: it matches
// ErrSkipped and says why.
type notChecked struct{ reason error }

func (e notChecked) Error() string { return "not checked: " + e.reason.Error() }

func (e notChecked) Unwrap() []error { return []error{ErrSkipped, e.reason} }
