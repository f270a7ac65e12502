package topology

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/sourceflow-go/sourceflow"
)

// Endpoints maps destination names to their resolved AWS resources.
type Endpoints map[string]Endpoint

// resolved collects the URLs and ARNs found or created while applying a
// Plan.
type resolved struct {
	queueURL    map[string]string
	queueARN    map[string]string
	topicARN    map[string]string
	maxReceives map[string]int // maxReceiveCount of a queue's RedrivePolicy
	account     arnScope       // from STS, when no queue ARN gives it
	lookups     map[string]queueLookup
}

// queueLookup is what GetQueueUrl answered about a queue: its URL, or that
// it is missing (found false).
type queueLookup struct {
	url   string
	found bool
}

func newResolved() *resolved {
	return &resolved{queueURL: map[string]string{}, queueARN: map[string]string{}, topicARN: map[string]string{},
		maxReceives: map[string]int{}, lookups: map[string]queueLookup{}}
}

// endpoints builds the destination map of p from what was resolved.
func (r *resolved) endpoints(p Plan) Endpoints {
	eps := make(Endpoints, len(p.Destinations))
	for _, d := range p.Destinations {
		ep := Endpoint{Name: d.Name, Kind: d.Kind, TopicARN: r.topicARN[d.Topic], FIFO: IsFIFO(d.Name)}
		if d.Queue != "" {
			ep.QueueURL = r.queueURL[d.Queue]
			ep.DLQURL = r.queueURL[DLQName(d.Queue)]
			ep.MaxReceiveCount = r.maxReceives[d.Queue]
		}
		if f, ok := p.foreign(d.Name); ok {
			ep.Region = f.Region
			if d.Kind == sourceflow.KindCommand {
				ep.QueueURL = r.queueURL[f.ARN]
			}
		}
		eps[d.Name] = ep
	}
	return eps
}

func (r *resolved) anyQueueARN() string {
	for _, a := range r.queueARN {
		return a
	}
	return ""
}

// queueURL returns the URL of queue name; found is false when it does not
// exist.
func (t *Provisioner) queueURL(ctx context.Context, name string) (url string, found bool, err error) {
	out, err := t.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if isQueueMissing(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("get URL of queue %q: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), true, nil
}

// lookupQueue is queueURL asked once per pass: a queue already looked up
// in res is answered from there.
func (t *Provisioner) lookupQueue(ctx context.Context, res *resolved, name string) (url string, found bool, err error) {
	if l, ok := res.lookups[name]; ok {
		return l.url, l.found, nil
	}
	url, found, err = t.queueURL(ctx, name)
	if err == nil {
		res.lookups[name] = queueLookup{url: url, found: found}
	}
	return url, found, err
}

func (t *Provisioner) queueAttributes(ctx context.Context, name, url string) (map[string]string, error) {
	out, err := t.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		return nil, fmt.Errorf("get attributes of queue %q: %w", name, err)
	}
	if out.Attributes == nil {
		return map[string]string{}, nil
	}
	return out.Attributes, nil
}

// topicExists reports whether the topic with arn exists.
func (t *Provisioner) topicExists(ctx context.Context, arn string) (bool, error) {
	_, found, err := t.topicAttributes(ctx, arn)
	return found, err
}

// findSubscription returns the ARN of the sqs subscription of queueARN to
// topicARN, walking every page of ListSubscriptionsByTopic.
func (t *Provisioner) findSubscription(ctx context.Context, topicARN, queueARN string) (string, bool, error) {
	var next *string
	for {
		out, err := t.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{
			TopicArn: aws.String(topicARN), NextToken: next,
		}, t.snsIn(topicARN)...)
		if err != nil {
			return "", false, fmt.Errorf("list subscriptions of topic %q: %w", topicARN, err)
		}
		for _, s := range out.Subscriptions {
			if aws.ToString(s.Protocol) == "sqs" && aws.ToString(s.Endpoint) == queueARN {
				return aws.ToString(s.SubscriptionArn), true, nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return "", false, nil
		}
		next = out.NextToken
	}
}

func isQueueMissing(err error) bool {
	var qne *sqstypes.QueueDoesNotExist
	return errors.As(err, &qne) || hasErrorCode(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
}

// isQueueNameTaken reports whether err is SQS refusing CreateQueue because
// a queue of that name exists with a different attribute.
func isQueueNameTaken(err error) bool {
	var qne *sqstypes.QueueNameExists
	return errors.As(err, &qne) || hasErrorCode(err, "QueueNameExists", "QueueAlreadyExists")
}

// isSubscriptionTaken reports whether err is SNS refusing Subscribe because
// the endpoint is subscribed to the topic with other attributes.
func isSubscriptionTaken(err error) bool {
	var ae smithy.APIError
	return hasErrorCode(err, "InvalidParameter", "InvalidParameterException") &&
		errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "already exists with different attributes")
}

func isTopicMissing(err error) bool {
	var nf *snstypes.NotFoundException
	return errors.As(err, &nf) || hasErrorCode(err, "NotFound", "NotFoundException")
}

func hasErrorCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// redrivePolicy is the JSON of the RedrivePolicy queue attribute.
func redrivePolicy(dlqARN string, maxReceiveCount int) string {
	b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": maxReceiveCount})
	return string(b)
}

// sameRedrive compares two RedrivePolicy values; maxReceiveCount may be a
// number or a string depending on who wrote it.
func sameRedrive(a, b string) bool {
	pa, oka := parseRedrive(a)
	pb, okb := parseRedrive(b)
	return oka && okb && pa == pb
}

// redriveMaxReceives returns the maxReceiveCount of a RedrivePolicy value,
// 0 when there is none.
func redriveMaxReceives(policy string) int {
	p, ok := parseRedrive(policy)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(p[1])
	if err != nil || n < 1 {
		return 0
	}
	return n
}

func parseRedrive(s string) ([2]string, bool) {
	var m map[string]any
	if s == "" || json.Unmarshal([]byte(s), &m) != nil {
		return [2]string{}, false
	}
	return [2]string{fmt.Sprint(m["deadLetterTargetArn"]), fmt.Sprint(m["maxReceiveCount"])}, true
}

// queueDiff returns the desired attributes whose actual value differs.
// FifoQueue is skipped: it follows from the name and cannot change.
func queueDiff(desired, actual map[string]string) map[string]string {
	diff := map[string]string{}
	for k, v := range desired {
		switch k {
		case "FifoQueue":
			continue
		case "RedrivePolicy":
			if !sameRedrive(v, actual[k]) {
				diff[k] = v
			}
		case AttrKMSMasterKey:
			if !SameKey(actual[k], v) {
				diff[k] = v
			}
		default:
			if actual[k] != v {
				diff[k] = v
			}
		}
	}
	switchAtRest(diff, desired, actual)
	return diff
}

// FilterPolicy returns the subscription filter policy (JSON) that lets
// only the given types through, on the type attribute; "" for none (every
// message).
func FilterPolicy(types []string) string {
	if len(types) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string][]string{sourceflow.MetaType: types})
	return string(b)
}

// sameJSON compares two JSON documents semantically; "" and "{}" are both
// "no policy".
func sameJSON(a, b string) bool {
	norm := func(s string) (any, bool) {
		if s == "" {
			s = "{}"
		}
		var v any
		return v, json.Unmarshal([]byte(s), &v) == nil
	}
	va, oka := norm(a)
	vb, okb := norm(b)
	if !oka || !okb {
		return a == b
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

// keys returns the keys of m, sorted.
func keys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
