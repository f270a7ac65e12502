package awsbustest

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// Subscribe subscribes an SQS queue (by ARN) to a topic. Subscribing the same
// queue again returns the existing subscription when every attribute given
// has the subscription's value (attributes not given are not compared), and
// fails as SNS does otherwise: InvalidParameter, "Subscription already
// exists with different attributes". Only the "sqs" protocol is supported;
// a FIFO queue can only subscribe to a FIFO topic.
func (s *SNS) Subscribe(_ context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	var invalid error
	if aws.ToString(in.Protocol) != "sqs" {
		invalid = invalidParam("Protocol: only sqs is supported by the fake")
	}
	endpoint := aws.ToString(in.Endpoint)
	return withTopic(s, "Subscribe", in.TopicArn, invalid, func(t *topic) (*sns.SubscribeOutput, error) {
		if strings.HasSuffix(endpoint, ".fifo") && !t.fifo {
			return nil, invalidParam("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
		}
		for k, v := range in.Attributes {
			if err := checkSubscriptionAttr(k, v); err != nil {
				return nil, err
			}
		}
		for _, sub := range t.subs {
			if sub.endpoint == endpoint {
				return resubscribe(sub, in.Attributes)
			}
		}
		s.seq++
		sub := &subscription{
			arn:      fmt.Sprintf("%s:%08x-fake-4000-8000-%012x", t.arn, s.seq, s.seq),
			topicARN: t.arn, protocol: "sqs", endpoint: endpoint, attrs: maps.Clone(in.Attributes),
		}
		if sub.attrs == nil {
			sub.attrs = map[string]string{}
		}
		t.subs = append(t.subs, sub)
		s.subs[sub.arn] = sub
		return &sns.SubscribeOutput{SubscriptionArn: aws.String(sub.arn)}, nil
	})
}

// resubscribe answers a Subscribe of the endpoint of sub: its ARN when each
// attribute of attrs has sub's value (RawMessageDelivery is "false" unless
// set, and FilterPolicyScope "MessageAttributes" when a filter policy is),
// an InvalidParameter error otherwise.
func resubscribe(sub *subscription, attrs map[string]string) (*sns.SubscribeOutput, error) {
	for k, v := range attrs {
		have, ok := sub.attrs[k]
		switch {
		case ok:
		case k == "RawMessageDelivery":
			have = "false"
		case k == "FilterPolicyScope" && sub.attrs["FilterPolicy"] != "":
			have = "MessageAttributes"
		}
		if have != v {
			return nil, invalidParam("Attributes Reason: Subscription already exists with different attributes")
		}
	}
	return &sns.SubscribeOutput{SubscriptionArn: aws.String(sub.arn)}, nil
}

func checkSubscriptionAttr(k, v string) error {
	switch k {
	case "RawMessageDelivery":
		if v != "true" && v != "false" {
			return invalidParam("RawMessageDelivery")
		}
	case "FilterPolicy":
		if v == "" {
			return nil
		}
		if _, err := parseFilterPolicy(v); err != nil {
			return invalidParam("FilterPolicy: " + err.Error())
		}
	case "FilterPolicyScope":
		if v != "MessageAttributes" && v != "MessageBody" {
			return invalidParam("FilterPolicyScope: Invalid value [" + v + "]. Please use either MessageBody or MessageAttributes")
		}
	case "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn":
	default:
		return invalidParam("AttributeName " + k)
	}
	return nil
}

// ListSubscriptionsByTopic lists the topic's subscriptions (one page).
func (s *SNS) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return withTopic(s, "ListSubscriptionsByTopic", in.TopicArn, nil, func(t *topic) (*sns.ListSubscriptionsByTopicOutput, error) {
		out := &sns.ListSubscriptionsByTopicOutput{}
		for _, sub := range t.subs {
			out.Subscriptions = append(out.Subscriptions, types.Subscription{
				SubscriptionArn: aws.String(sub.arn), TopicArn: aws.String(t.arn),
				Protocol: aws.String(sub.protocol), Endpoint: aws.String(sub.endpoint),
				Owner: aws.String(s.sqs.AccountID()),
			})
		}
		return out, nil
	})
}

// GetSubscriptionAttributes returns a subscription's attributes.
func (s *SNS) GetSubscriptionAttributes(_ context.Context, in *sns.GetSubscriptionAttributesInput, _ ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	return withSubscription(s, "GetSubscriptionAttributes", in.SubscriptionArn, nil, func(sub *subscription) (*sns.GetSubscriptionAttributesOutput, error) {
		out := map[string]string{
			"SubscriptionArn": sub.arn, "TopicArn": sub.topicARN, "Protocol": sub.protocol,
			"Endpoint": sub.endpoint, "Owner": s.sqs.AccountID(), "PendingConfirmation": "false",
			"ConfirmationWasAuthenticated": "true", "RawMessageDelivery": "false",
		}
		maps.Copy(out, sub.attrs)
		return &sns.GetSubscriptionAttributesOutput{Attributes: out}, nil
	})
}

// SetSubscriptionAttributes sets one subscription attribute.
func (s *SNS) SetSubscriptionAttributes(_ context.Context, in *sns.SetSubscriptionAttributesInput, _ ...func(*sns.Options)) (*sns.SetSubscriptionAttributesOutput, error) {
	name, value := aws.ToString(in.AttributeName), aws.ToString(in.AttributeValue)
	return withSubscription(s, "SetSubscriptionAttributes", in.SubscriptionArn, checkSubscriptionAttr(name, value), func(sub *subscription) (*sns.SetSubscriptionAttributesOutput, error) {
		sub.attrs[name] = value
		return &sns.SetSubscriptionAttributesOutput{}, nil
	})
}
