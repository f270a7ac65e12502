package cli

import "fmt"

// unansweredText says that service did not answer within bound ("in
// time", "within --check-timeout (5s)") and what to check: the endpoint
// of its client (region and endpoint as callTarget words them), or more
// time with flag.
func unansweredText(service, bound, region, endpoint, flag string) string {
	return fmt.Sprintf("%s did not answer %s: check that the endpoint of region %s (%s) answers, "+
		"or allow more time with %s", service, bound, region, endpoint, flag)
}

// credentialsText says what to check for a call AWS refused or that
// failed otherwise: the credentials, the region and the endpoint of its
// client, and the command (help) whose help lists the permissions needed.
func credentialsText(region, endpoint, help string) string {
	return fmt.Sprintf("check the credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID), the region (%s) and "+
		"the endpoint (%s); `%s` lists the permissions needed", region, endpoint, help)
}
