package sns

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
)

// texts returns the text messages in the mailbox.
func (e *env) texts(t *testing.T) []mailbox.Mail {
	t.Helper()
	all, err := e.mails.List(testAccount)
	if err != nil {
		t.Fatal(err)
	}
	var out []mailbox.Mail
	for _, m := range all {
		if m.Source == "sns-sms" {
			out = append(out, m)
		}
	}
	return out
}

func TestSMSAttributes(t *testing.T) {
	e := newEnv(t)
	got := must(e.s.GetSMSAttributes(bg, &snsapi.GetSMSAttributesInput{}))(t)
	if len(got.Attributes) != 0 {
		t.Fatalf("fresh attributes = %v", got.Attributes)
	}
	must(e.s.SetSMSAttributes(bg, &snsapi.SetSMSAttributesInput{Attributes: map[string]string{
		"DefaultSMSType": "Transactional", "DefaultSenderID": "Kiri", "MonthlySpendLimit": "5",
		"DeliveryStatusIAMRole":             "arn:aws:iam::123456789012:role/SNSLogs",
		"DeliveryStatusSuccessSamplingRate": "10", "UsageReportS3Bucket": "sms-reports",
	}}))(t)
	got = must(e.s.GetSMSAttributes(bg, &snsapi.GetSMSAttributesInput{}))(t)
	if len(got.Attributes) != 6 || got.Attributes["DefaultSMSType"] != "Transactional" || got.Attributes["MonthlySpendLimit"] != "5" {
		t.Fatalf("attributes = %v", got.Attributes)
	}
	got = must(e.s.GetSMSAttributes(bg, &snsapi.GetSMSAttributesInput{Attributes: []string{"DefaultSenderID"}}))(t)
	if len(got.Attributes) != 1 || got.Attributes["DefaultSenderID"] != "Kiri" {
		t.Fatalf("filtered attributes = %v", got.Attributes)
	}
	// Per account and region.
	other := must(e.s.GetSMSAttributes(requestIn(testAccount, "eu-west-1"), &snsapi.GetSMSAttributesInput{}))(t)
	if len(other.Attributes) != 0 {
		t.Fatalf("other region attributes = %v", other.Attributes)
	}
	// "" removes an attribute.
	must(e.s.SetSMSAttributes(bg, &snsapi.SetSMSAttributesInput{Attributes: map[string]string{"UsageReportS3Bucket": ""}}))(t)
	got = must(e.s.GetSMSAttributes(bg, &snsapi.GetSMSAttributesInput{}))(t)
	if _, ok := got.Attributes["UsageReportS3Bucket"]; ok || len(got.Attributes) != 5 {
		t.Fatalf("attributes after removal = %v", got.Attributes)
	}

	for _, bad := range []map[string]string{
		{"DefaultSMSType": "Urgent"},
		{"DefaultSenderID": "TooLongSenderID"},
		{"DefaultSenderID": "12345"},
		{"DefaultSenderID": "My Brand"},
		{"MonthlySpendLimit": "-1"},
		{"MonthlySpendLimit": "1.5"},
		{"DeliveryStatusSuccessSamplingRate": "101"},
		{"DeliveryStatusIAMRole": "not-an-arn"},
		{"UsageReportS3Bucket": "Bad_Bucket"},
		{"Color": "blue"},
		{},
	} {
		_, err := e.s.SetSMSAttributes(bg, &snsapi.SetSMSAttributesInput{Attributes: bad})
		wantError(t, err, "InvalidParameter", "")
	}
	_, err := e.s.GetSMSAttributes(bg, &snsapi.GetSMSAttributesInput{Attributes: []string{"Color"}})
	wantError(t, err, "InvalidParameter", "")
	// A rejected request changes nothing.
	got = must(e.s.GetSMSAttributes(bg, &snsapi.GetSMSAttributesInput{Attributes: []string{"DefaultSMSType"}}))(t)
	if got.Attributes["DefaultSMSType"] != "Transactional" {
		t.Fatalf("DefaultSMSType = %q", got.Attributes["DefaultSMSType"])
	}
}

// DefaultSenderID is the From of texts; the message's
// AWS.SNS.SMS.SenderID attribute wins over it.
func TestSMSSenderID(t *testing.T) {
	e := newEnv(t)
	e.publish(t, &snsapi.PublishInput{PhoneNumber: api.Ptr("+15555550100"), Message: api.Ptr("no sender")})
	must(e.s.SetSMSAttributes(bg, &snsapi.SetSMSAttributesInput{Attributes: map[string]string{"DefaultSenderID": "KiriCo"}}))(t)
	e.publish(t, &snsapi.PublishInput{PhoneNumber: api.Ptr("+15555550100"), Message: api.Ptr("default sender")})
	e.publish(t, &snsapi.PublishInput{PhoneNumber: api.Ptr("+15555550100"), Message: api.Ptr("own sender"),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{"AWS.SNS.SMS.SenderID": {DataType: api.Ptr("String"), StringValue: api.Ptr("Promo1")}}})
	topic := e.topic(t, "alerts", nil)
	e.subscribe(t, topic, "sms", "+15555550101", nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("via topic")})

	from := map[string]string{}
	eventually(t, "four texts", func() bool { return len(e.texts(t)) == 4 })
	for _, m := range e.texts(t) {
		from[m.Text] = m.From
	}
	want := map[string]string{"no sender": "", "default sender": "KiriCo", "own sender": "Promo1", "via topic": "KiriCo"}
	if fmt.Sprint(from) != fmt.Sprint(want) {
		t.Fatalf("From by text = %v, want %v", from, want)
	}
}

func TestSMSOptOut(t *testing.T) {
	e := newEnv(t)
	phone := "+15555550123"
	check := func() bool {
		t.Helper()
		return *must(e.s.CheckIfPhoneNumberIsOptedOut(bg, &snsapi.CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: &phone}))(t).IsOptedOut
	}
	if check() {
		t.Fatal("opted out before opting out")
	}
	_, err := e.s.CheckIfPhoneNumberIsOptedOut(bg, &snsapi.CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: api.Ptr("555-0123")})
	wantError(t, err, "InvalidParameter", "")
	if err := e.s.OptOut(testAccount, testRegion, "nope"); err == nil {
		t.Fatal("OptOut accepted a malformed number")
	}
	if err := e.s.OptOut(testAccount, testRegion, phone); err != nil {
		t.Fatal(err)
	}
	if !check() {
		t.Fatal("not opted out after OptOut")
	}

	// Publishing to it succeeds but sends nothing, directly or through a
	// subscription (which stays).
	out := e.publish(t, &snsapi.PublishInput{PhoneNumber: &phone, Message: api.Ptr("dropped")})
	if api.Deref(out.MessageId) == "" {
		t.Fatal("no MessageId")
	}
	topic := e.topic(t, "alerts", nil)
	e.subscribe(t, topic, "sms", phone, nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("dropped too")})
	time.Sleep(50 * time.Millisecond)
	e.s.wait()
	if n := len(e.texts(t)); n != 0 {
		t.Fatalf("%d texts sent to an opted-out number", n)
	}

	list := must(e.s.ListPhoneNumbersOptedOut(bg, &snsapi.ListPhoneNumbersOptedOutInput{}))(t)
	if fmt.Sprint(list.PhoneNumbers) != "[+15555550123]" || list.NextToken != nil {
		t.Fatalf("opted out = %v %v", list.PhoneNumbers, list.NextToken)
	}

	must(e.s.OptInPhoneNumber(bg, &snsapi.OptInPhoneNumberInput{PhoneNumber: &phone}))(t)
	if check() {
		t.Fatal("opted out after OptInPhoneNumber")
	}
	e.publish(t, &snsapi.PublishInput{PhoneNumber: &phone, Message: api.Ptr("delivered")})
	if got := e.texts(t); len(got) != 1 || got[0].Text != "delivered" {
		t.Fatalf("texts = %v", got)
	}

	// Once every 30 days.
	if err := e.s.OptOut(testAccount, testRegion, phone); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.OptInPhoneNumber(bg, &snsapi.OptInPhoneNumberInput{PhoneNumber: &phone})
	wantError(t, err, "InvalidParameter", "Invalid parameter: Cannot opt in right now, latest opt in is too recent")
	if !check() {
		t.Fatal("a refused opt-in opted in")
	}
	e.advance(30*24*time.Hour + time.Minute)
	must(e.s.OptInPhoneNumber(bg, &snsapi.OptInPhoneNumberInput{PhoneNumber: &phone}))(t)
	if check() {
		t.Fatal("opted out after the second opt-in")
	}
	// Opting in a number that is not opted out is a no-op.
	must(e.s.OptInPhoneNumber(bg, &snsapi.OptInPhoneNumberInput{PhoneNumber: api.Ptr("+15555550199")}))(t)
	_, err = e.s.OptInPhoneNumber(bg, &snsapi.OptInPhoneNumberInput{PhoneNumber: api.Ptr("x")})
	wantError(t, err, "InvalidParameter", "")
}

func TestListPhoneNumbersOptedOutPages(t *testing.T) {
	e := newEnv(t)
	for i := range 150 {
		if err := e.s.OptOut(testAccount, testRegion, fmt.Sprintf("+1555555%04d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	var tok *string
	pages := 0
	for {
		out := must(e.s.ListPhoneNumbersOptedOut(bg, &snsapi.ListPhoneNumbersOptedOutInput{NextToken: tok}))(t)
		pages++
		all = append(all, out.PhoneNumbers...)
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	if pages != 2 || len(all) != 150 || all[0] != "+15555550000" || all[149] != "+15555550149" {
		t.Fatalf("pages %d, %d numbers", pages, len(all))
	}
	_, err := e.s.ListPhoneNumbersOptedOut(bg, &snsapi.ListPhoneNumbersOptedOutInput{NextToken: api.Ptr("!!")})
	wantError(t, err, "InvalidParameter", "")
}

var otpInText = regexp.MustCompile(`\b([0-9]{6})\b`)

// otpFor reads the last one-time password texted to phone.
func (e *env) otpFor(t *testing.T, phone string) string {
	t.Helper()
	otp := ""
	for _, m := range e.texts(t) {
		if m.To[0] == phone {
			if sub := otpInText.FindStringSubmatch(m.Text); sub != nil {
				otp = sub[1]
			}
		}
	}
	if otp == "" {
		t.Fatalf("no one-time password texted to %s", phone)
	}
	return otp
}

func TestSMSSandbox(t *testing.T) {
	e := newEnv(t)
	status := must(e.s.GetSMSSandboxAccountStatus(bg, &snsapi.GetSMSSandboxAccountStatusInput{}))(t)
	if *status.IsInSandbox {
		t.Fatal("kiri accounts are in the sandbox by default")
	}
	e.s.cfg.SMSSandbox = true
	status = must(e.s.GetSMSSandboxAccountStatus(bg, &snsapi.GetSMSSandboxAccountStatusInput{}))(t)
	if !*status.IsInSandbox {
		t.Fatal("SMSSandbox does not put the account in the sandbox")
	}

	phone := "+15555550142"
	_, err := e.s.Publish(bg, &snsapi.PublishInput{PhoneNumber: &phone, Message: api.Ptr("refused")})
	wantError(t, err, "AuthorizationError", "")

	must(e.s.CreateSMSSandboxPhoneNumber(bg, &snsapi.CreateSMSSandboxPhoneNumberInput{PhoneNumber: &phone, LanguageCode: api.Ptr("ja-JP")}))(t)
	list := must(e.s.ListSMSSandboxPhoneNumbers(bg, &snsapi.ListSMSSandboxPhoneNumbersInput{}))(t)
	if len(list.PhoneNumbers) != 1 || *list.PhoneNumbers[0].PhoneNumber != phone || *list.PhoneNumbers[0].Status != "Pending" {
		t.Fatalf("sandbox numbers = %+v", list.PhoneNumbers)
	}
	otp := e.otpFor(t, phone)
	// Pending is not verified.
	_, err = e.s.Publish(bg, &snsapi.PublishInput{PhoneNumber: &phone, Message: api.Ptr("refused")})
	wantError(t, err, "AuthorizationError", "")

	wrong := "000000"
	if otp == wrong {
		wrong = "111111"
	}
	_, err = e.s.VerifySMSSandboxPhoneNumber(bg, &snsapi.VerifySMSSandboxPhoneNumberInput{PhoneNumber: &phone, OneTimePassword: &wrong})
	wantError(t, err, "VerificationException", "")
	_, err = e.s.VerifySMSSandboxPhoneNumber(bg, &snsapi.VerifySMSSandboxPhoneNumberInput{PhoneNumber: api.Ptr("+15555550143"), OneTimePassword: &otp})
	wantError(t, err, "ResourceNotFound", "")
	_, err = e.s.VerifySMSSandboxPhoneNumber(bg, &snsapi.VerifySMSSandboxPhoneNumberInput{PhoneNumber: &phone, OneTimePassword: api.Ptr("12")})
	wantError(t, err, "InvalidParameter", "")
	must(e.s.VerifySMSSandboxPhoneNumber(bg, &snsapi.VerifySMSSandboxPhoneNumberInput{PhoneNumber: &phone, OneTimePassword: &otp}))(t)
	list = must(e.s.ListSMSSandboxPhoneNumbers(bg, &snsapi.ListSMSSandboxPhoneNumbersInput{}))(t)
	if *list.PhoneNumbers[0].Status != "Verified" {
		t.Fatalf("status = %s", *list.PhoneNumbers[0].Status)
	}

	e.publish(t, &snsapi.PublishInput{PhoneNumber: &phone, Message: api.Ptr("allowed")})
	texts := e.texts(t)
	if last := texts[len(texts)-1]; last.Text != "allowed" || last.To[0] != phone {
		t.Fatalf("last text = %+v", last)
	}

	// A topic's sms subscription to an unverified number is not sent.
	topic := e.topic(t, "alerts", nil)
	e.subscribe(t, topic, "sms", "+15555550144", nil)
	e.publish(t, &snsapi.PublishInput{TopicArn: &topic, Message: api.Ptr("not to unverified")})
	time.Sleep(50 * time.Millisecond)
	e.s.wait()
	for _, m := range e.texts(t) {
		if m.To[0] == "+15555550144" {
			t.Fatalf("text sent to an unverified number in the sandbox: %+v", m)
		}
	}

	// Deletion waits 24 hours after verification.
	_, err = e.s.DeleteSMSSandboxPhoneNumber(bg, &snsapi.DeleteSMSSandboxPhoneNumberInput{PhoneNumber: &phone})
	wantError(t, err, "UserError", "")
	e.advance(25 * time.Hour)
	must(e.s.DeleteSMSSandboxPhoneNumber(bg, &snsapi.DeleteSMSSandboxPhoneNumberInput{PhoneNumber: &phone}))(t)
	_, err = e.s.DeleteSMSSandboxPhoneNumber(bg, &snsapi.DeleteSMSSandboxPhoneNumberInput{PhoneNumber: &phone})
	wantError(t, err, "ResourceNotFound", "")
	list = must(e.s.ListSMSSandboxPhoneNumbers(bg, &snsapi.ListSMSSandboxPhoneNumbersInput{}))(t)
	if len(list.PhoneNumbers) != 0 {
		t.Fatalf("sandbox numbers after delete = %+v", list.PhoneNumbers)
	}
	_, err = e.s.Publish(bg, &snsapi.PublishInput{PhoneNumber: &phone, Message: api.Ptr("refused again")})
	wantError(t, err, "AuthorizationError", "")
}

func TestSMSSandboxLimits(t *testing.T) {
	e := newEnv(t)
	create := func(phone string) error {
		_, err := e.s.CreateSMSSandboxPhoneNumber(bg, &snsapi.CreateSMSSandboxPhoneNumberInput{PhoneNumber: &phone})
		return err
	}
	_, err := e.s.CreateSMSSandboxPhoneNumber(bg, &snsapi.CreateSMSSandboxPhoneNumberInput{PhoneNumber: api.Ptr("+15555550100"), LanguageCode: api.Ptr("xx-XX")})
	wantError(t, err, "InvalidParameter", "")
	wantError(t, create("12345"), "InvalidParameter", "")

	// Five OTPs a day to one number; a new OTP replaces the old one.
	for range 5 {
		if err := create("+15555550100"); err != nil {
			t.Fatal(err)
		}
	}
	wantError(t, create("+15555550100"), "Throttled", "")
	otp := e.otpFor(t, "+15555550100")
	must(e.s.VerifySMSSandboxPhoneNumber(bg, &snsapi.VerifySMSSandboxPhoneNumberInput{PhoneNumber: api.Ptr("+15555550100"), OneTimePassword: &otp}))(t)

	// Ten numbers.
	for i := 1; i < 10; i++ {
		if err := create(fmt.Sprintf("+155555501%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	wantError(t, create("+15555550199"), "UserError", "")

	// Opted-out numbers cannot be added.
	if err := e.s.OptOut(testAccount, testRegion, "+15555550200"); err != nil {
		t.Fatal(err)
	}
	wantError(t, create("+15555550200"), "OptedOut", "")

	// Pages.
	page := must(e.s.ListSMSSandboxPhoneNumbers(bg, &snsapi.ListSMSSandboxPhoneNumbersInput{MaxResults: api.Ptr(int64(4))}))(t)
	n := len(page.PhoneNumbers)
	for page.NextToken != nil {
		page = must(e.s.ListSMSSandboxPhoneNumbers(bg, &snsapi.ListSMSSandboxPhoneNumbersInput{MaxResults: api.Ptr(int64(4)), NextToken: page.NextToken}))(t)
		n += len(page.PhoneNumbers)
	}
	if n != 10 {
		t.Fatalf("%d sandbox numbers listed, want 10", n)
	}
	_, err = e.s.ListSMSSandboxPhoneNumbers(bg, &snsapi.ListSMSSandboxPhoneNumbersInput{MaxResults: api.Ptr(int64(101))})
	wantError(t, err, "InvalidParameter", "")
}

func TestListOriginationNumbers(t *testing.T) {
	e := newEnv(t)
	out := must(e.s.ListOriginationNumbers(bg, &snsapi.ListOriginationNumbersRequest{}))(t)
	if out.PhoneNumbers == nil || len(out.PhoneNumbers) != 0 || out.NextToken != nil {
		t.Fatalf("origination numbers = %+v", out)
	}
	out = must(e.s.ListOriginationNumbers(bg, &snsapi.ListOriginationNumbersRequest{MaxResults: api.Ptr(int64(30))}))(t)
	if len(out.PhoneNumbers) != 0 {
		t.Fatalf("origination numbers = %+v", out)
	}
	_, err := e.s.ListOriginationNumbers(bg, &snsapi.ListOriginationNumbersRequest{MaxResults: api.Ptr(int64(31))})
	wantError(t, err, "ValidationException", "")
	_, err = e.s.ListOriginationNumbers(bg, &snsapi.ListOriginationNumbersRequest{NextToken: api.Ptr("abc")})
	wantError(t, err, "InvalidParameter", "")
}
