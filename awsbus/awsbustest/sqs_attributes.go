package awsbustest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// settable reports whether SetQueueAttributes accepts attribute name.
func settable(name string) bool {
	switch name {
	case "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "Policy",
		"ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy",
		"KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled",
		"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit":
		return true
	}
	return false
}

// GetQueueAttributes returns the requested attributes ("All" for every one),
// including the computed QueueArn and approximate message counts.
func (s *SQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return withQueue(s, "GetQueueAttributes", in.QueueUrl, nil, func(q *queue) (*sqs.GetQueueAttributesOutput, error) {
		all := map[string]string{}
		for k, v := range q.attrs {
			all[k] = v
		}
		visible, inFlight, delayed := q.counts(time.Now())
		all["QueueArn"] = q.arn
		all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
		all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inFlight)
		all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
		all["CreatedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
		out := map[string]string{}
		for _, n := range in.AttributeNames {
			if n == types.QueueAttributeNameAll {
				out = all
				break
			}
			if v, ok := all[string(n)]; ok {
				out[string(n)] = v
			}
		}
		return &sqs.GetQueueAttributesOutput{Attributes: out}, nil
	})
}

// SetQueueAttributes changes queue attributes. A RedrivePolicy must name an
// existing dead-letter queue of the same type.
func (s *SQS) SetQueueAttributes(_ context.Context, in *sqs.SetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	return withQueue(s, "SetQueueAttributes", in.QueueUrl, nil, func(q *queue) (*sqs.SetQueueAttributesOutput, error) {
		if err := s.setAttrsLocked(q, in.Attributes, false); err != nil {
			return nil, err
		}
		s.notifyLocked()
		return &sqs.SetQueueAttributesOutput{}, nil
	})
}

// setAttrsLocked validates and applies attributes. FifoQueue is accepted only
// at creation.
func (s *SQS) setAttrsLocked(q *queue, attrs map[string]string, creating bool) error {
	for k, v := range attrs {
		switch {
		case k == "FifoQueue" && creating:
		case !settable(k):
			return &types.InvalidAttributeName{Message: aws.String("Unknown Attribute " + k + ".")}
		case k == "RedrivePolicy" && v != "":
			if err := s.checkRedriveLocked(q, v); err != nil {
				return err
			}
		case k == "Policy" && v != "" && !json.Valid([]byte(v)):
			return apiError("InvalidAttributeValue", "Invalid value for the parameter Policy.")
		case k == "ContentBasedDeduplication" && !q.fifo:
			return apiError("InvalidAttributeName", "ContentBasedDeduplication is only valid for FIFO queues.")
		}
	}
	after := func(k string) string {
		if v, ok := attrs[k]; ok {
			return v
		}
		return q.attrs[k]
	}
	if after("SqsManagedSseEnabled") == "true" && after("KmsMasterKeyId") != "" {
		return apiError("InvalidAttributeValue", "You can use one type of server-side encryption (SSE) at one time. "+
			"You can either enable KMS SSE or SQS SSE.")
	}
	for k, v := range attrs {
		q.attrs[k] = v
	}
	return nil
}

func (s *SQS) checkRedriveLocked(q *queue, v string) error {
	probe := &queue{attrs: map[string]string{"RedrivePolicy": v}}
	arn, _, ok := probe.redrive()
	if !ok {
		return apiError("InvalidParameterValue", "Value "+v+" for parameter RedrivePolicy is invalid.")
	}
	dlq, found := s.byARN[arn]
	if !found {
		return apiError("InvalidParameterValue", fmt.Sprintf("Dead letter target does not exist: %s", arn))
	}
	if dlq.fifo != q.fifo {
		return apiError("InvalidParameterValue", "Dead-letter queue must be of the same type as the source queue.")
	}
	return nil
}
