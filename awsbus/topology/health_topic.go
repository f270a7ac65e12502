package topology

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// topicProbe checks topic name with GetTopicAttributes on arn. An empty arn
// (the caller could not resolve it) is built, as Validate builds it, from
// the partition, region and account of ProvisionerConfig (AccountID or
// STS, and Region). When the configuration gives no means to build it (no
// Region, or neither AccountID nor STS) the check is skipped, saying why:
// the topic is not known to be missing, so it is not down. A failed
// sts:GetCallerIdentity is a failed call, so the check is down.
func (t *Provisioner) topicProbe(name, arn string) Probe {
	return Probe{Name: name, Kind: "topic", Run: func(ctx context.Context) error {
		topicARN := arn
		if topicARN == "" {
			built, err := t.topicARNFor(ctx, name, newResolved())
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

// notChecked is the error of a check skipped for reason: it matches
// ErrSkipped and says why.
type notChecked struct{ reason error }

func (e notChecked) Error() string { return "not checked: " + e.reason.Error() }

func (e notChecked) Unwrap() []error { return []error{ErrSkipped, e.reason} }
