package topology

import (
	"fmt"
	"slices"
)

// snsPrincipal is the service principal SNS calls as within a region, and
// between two regions enabled by default.
const snsPrincipal = "sns.amazonaws.com"

// optInRegions are the regions SNS counts as opt-in: those launched after
// 20 March 2019, which an account enables before using them. SNS
// delivering between one of them and another region calls the subscribed
// queue (and its KMS key) as sns.<opt-in-region>.amazonaws.com, and does
// not deliver between two of them at all (AWS SNS developer guide,
// "Sending Amazon SNS messages to an Amazon SQS queue or AWS Lambda
// function in a different Region").
var optInRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-3", "ap-south-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1",
	"eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1",
	"mx-central-1",
}

// OptInRegions returns the regions SNS counts as opt-in, sorted.
func OptInRegions() []string { return slices.Clone(optInRegions) }

// IsOptInRegion reports whether SNS counts region as an opt-in region.
func IsOptInRegion(region string) bool { return slices.Contains(optInRegions, region) }

// SNSPrincipals returns the service principals a policy of a queue or key
// of queueRegion names to let SNS deliver from a topic of topicRegion:
// sns.amazonaws.com, and sns.<region>.amazonaws.com of the opt-in one of
// two different regions. An empty topicRegion is the queue's; an empty
// queueRegion is not known (an export deployed in any region): the topic's
// regional principal is then named when its region is opt-in.
func SNSPrincipals(topicRegion, queueRegion string) []string {
	out := []string{snsPrincipal}
	if topicRegion == "" || topicRegion == queueRegion {
		return out
	}
	for _, r := range []string{topicRegion, queueRegion} {
		if IsOptInRegion(r) {
			out = append(out, "sns."+r+".amazonaws.com")
		}
	}
	return out
}

// snsCaller returns the service principal SNS calls a queue or key of
// queueRegion as, delivering from a topic of topicRegion.
func snsCaller(topicRegion, queueRegion string) string {
	p := SNSPrincipals(topicRegion, queueRegion)
	return p[len(p)-1]
}

// checkOptInDelivery refuses a subscription of a queue of queueRegion to
// the topic topicARN when both are in opt-in regions and those differ:
// SNS does not deliver between two opt-in regions.
func checkOptInDelivery(topicARN, queueRegion string) error {
	topicRegion := arnRegion(topicARN)
	if topicRegion == queueRegion || !IsOptInRegion(topicRegion) || !IsOptInRegion(queueRegion) {
		return nil
	}
	return fmt.Errorf("%w: topic %s is in opt-in region %s and the service's queues in opt-in region %s: SNS does "+
		"not deliver between two opt-in regions; subscribe to a topic of %s, or of a region enabled by default",
		ErrInvalidConfig, topicARN, topicRegion, queueRegion, queueRegion)
}
