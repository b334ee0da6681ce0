package sns

// Text messaging (SMS): the account's SMS attributes, opted-out phone
// numbers, the SMS sandbox and origination numbers, and the checks that
// decide whether a text is sent at all.
//
// Key layout inside the namespace ("sns", account, region), next to the
// ones state.go lists:
//
//	("smsattrs")          → smsAttrsRec, SetSMSAttributes' attributes
//	("optout", phone)     → optOutRec, a phone number that opted out
//	("optin", phone)      → optInRec, the last OptInPhoneNumber of a number
//	                        (kept after it, for the once-every-30-days rule)
//	("sandbox", phone)    → sandboxRec, an SMS sandbox destination number
//
// Texts land in kiri's outbound mailbox (Source "sns-sms", To the phone
// number, From the sender ID if there is one).

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kiricloud/kiri/internal/api"
	snsapi "github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/request"
	"github.com/kiricloud/kiri/internal/store"
)

const (
	// optInInterval: AWS lets an account opt a phone number in only once
	// every 30 days (OptInPhoneNumber reference).
	optInInterval = 30 * 24 * time.Hour
	// optedOutPerPage: ListPhoneNumbersOptedOut returns up to 100 numbers
	// a page.
	optedOutPerPage = 100
	// Sandbox limits from the developer guide's "SMS sandbox" page: up to
	// 10 destination numbers; the OTP can be sent to a number up to five
	// times every 24 hours; a number can be deleted only 24 hours after
	// its verification or last verification attempt.
	maxSandboxNumbers  = 10
	maxOTPsPerDay      = 5
	sandboxDeleteDelay = 24 * time.Hour
	sandboxPerPage     = 100 // ListSMSSandboxPhoneNumbers' MaxResults maximum
	originationPerPage = 30  // ListOriginationNumbers' MaxResults maximum
)

// smsAttrsRec holds the attributes set with SetSMSAttributes.
type smsAttrsRec struct {
	Attrs map[string]string `json:"attrs,omitempty"`
}

type optOutRec struct {
	At int64 `json:"at"` // Unix ms
}

type optInRec struct {
	At int64 `json:"at"` // Unix ms of the last opt-in
}

// sandboxRec is a destination phone number of the SMS sandbox.
type sandboxRec struct {
	Phone    string  `json:"phone"`
	Status   string  `json:"status"` // Pending or Verified
	Language string  `json:"lang"`
	OTP      string  `json:"otp,omitempty"` // the one-time password last sent, while Pending
	Created  int64   `json:"created"`
	Verified int64   `json:"verified,omitempty"`
	Attempt  int64   `json:"attempt,omitempty"` // the last VerifySMSSandboxPhoneNumber
	Sends    []int64 `json:"sends,omitempty"`   // when OTPs were sent, the last 24 hours
}

// smsMessageAttributes are the reserved message attributes a Publish may
// carry for texts (developer guide, "Publishing to a mobile phone"); the
// sender ID is the one kiri acts on.
var smsMessageAttributes = map[string]bool{
	"AWS.SNS.SMS.SenderID":         true,
	"AWS.SNS.SMS.SMSType":          true,
	"AWS.SNS.SMS.MaxPrice":         true,
	"AWS.MM.SMS.OriginationNumber": true,
	"AWS.MM.SMS.EntityId":          true,
	"AWS.MM.SMS.TemplateId":        true,
}

// smsAttributeNames are the attributes SetSMSAttributes accepts.
var smsAttributeNames = map[string]bool{
	"MonthlySpendLimit":                 true,
	"DeliveryStatusIAMRole":             true,
	"DeliveryStatusSuccessSamplingRate": true,
	"DefaultSenderID":                   true,
	"DefaultSMSType":                    true,
	"UsageReportS3Bucket":               true,
}

var (
	// senderIDPattern: 1–11 alphanumeric characters (at least one letter,
	// checked separately), as the SetSMSAttributes reference says.
	senderIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,11}$`)
	hasLetter       = regexp.MustCompile(`[A-Za-z]`)
	iamRoleArn      = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	bucketName      = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	otpPattern      = regexp.MustCompile(`^[0-9]{5,8}$`)
)

// sandboxLanguages are CreateSMSSandboxPhoneNumber's LanguageCode values.
var sandboxLanguages = map[string]bool{
	"en-US": true, "en-GB": true, "es-419": true, "es-ES": true, "de-DE": true, "fr-CA": true, "fr-FR": true,
	"it-IT": true, "ja-JP": true, "pt-BR": true, "kr-KR": true, "zh-CN": true, "zh-TW": true,
}

// validateSMSAttribute checks one SetSMSAttributes attribute; "" is valid
// for every attribute and removes it.
func validateSMSAttribute(name, value string) error {
	if !smsAttributeNames[name] {
		return invalid("Invalid parameter: %s Reason: is not a valid attribute", name)
	}
	if value == "" {
		return nil
	}
	bad := func(reason string) error { return invalid("Invalid parameter: %s Reason: %s", name, reason) }
	switch name {
	case "MonthlySpendLimit":
		if n, err := strconv.ParseInt(value, 10, 64); err != nil || n < 0 {
			return bad("must be a non-negative integer amount in USD")
		}
	case "DeliveryStatusSuccessSamplingRate":
		if n, err := strconv.Atoi(value); err != nil || n < 0 || n > 100 {
			return bad("must be an integer from 0 to 100")
		}
	case "DefaultSenderID":
		if !senderIDPattern.MatchString(value) || !hasLetter.MatchString(value) {
			return bad("must be 1-11 alphanumeric characters and contain at least one letter")
		}
	case "DefaultSMSType":
		if value != "Promotional" && value != "Transactional" {
			return bad("must be Promotional or Transactional")
		}
	case "DeliveryStatusIAMRole":
		if !iamRoleArn.MatchString(value) {
			return bad("must be the ARN of an IAM role")
		}
	case "UsageReportS3Bucket":
		if !bucketName.MatchString(value) || strings.Contains(value, "..") {
			return bad("must be the name of an S3 bucket")
		}
	}
	return nil
}

func (r *region) smsAttrs() (map[string]string, error) {
	var rec smsAttrsRec
	if _, err := store.GetJSON(r.tx, r.ns.Key("smsattrs"), &rec); err != nil {
		return nil, err
	}
	if rec.Attrs == nil {
		rec.Attrs = map[string]string{}
	}
	return rec.Attrs, nil
}

func (s *Service) SetSMSAttributes(ctx context.Context, in *snsapi.SetSMSAttributesInput) (*snsapi.SetSMSAttributesResponse, error) {
	if len(in.Attributes) == 0 {
		return nil, invalid("Invalid parameter: Attributes Reason: no value for required parameter")
	}
	for name, value := range in.Attributes {
		if err := validateSMSAttribute(name, value); err != nil {
			return nil, err
		}
	}
	err := s.update(ctx, func(r *region) error {
		attrs, err := r.smsAttrs()
		if err != nil {
			return err
		}
		for name, value := range in.Attributes {
			if value == "" {
				delete(attrs, name)
			} else {
				attrs[name] = value
			}
		}
		return store.PutJSON(r.tx, r.ns.Key("smsattrs"), &smsAttrsRec{Attrs: attrs})
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.SetSMSAttributesResponse{}, nil
}

// GetSMSAttributes returns the attributes set with SetSMSAttributes (kiri
// invents no defaults for the others), all of them or those named.
func (s *Service) GetSMSAttributes(ctx context.Context, in *snsapi.GetSMSAttributesInput) (*snsapi.GetSMSAttributesResponse, error) {
	for _, name := range in.Attributes {
		if !smsAttributeNames[name] {
			return nil, invalid("Invalid parameter: %s Reason: is not a valid attribute", name)
		}
	}
	out := &snsapi.GetSMSAttributesResponse{Attributes: map[string]string{}}
	err := s.view(ctx, func(r *region) error {
		attrs, err := r.smsAttrs()
		if err != nil {
			return err
		}
		if len(in.Attributes) == 0 {
			out.Attributes = attrs
			return nil
		}
		for _, name := range in.Attributes {
			if v, ok := attrs[name]; ok {
				out.Attributes[name] = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkPhone validates a phone number parameter in E.164 form.
func checkPhone(param string, phone *string) (string, error) {
	p := api.Deref(phone)
	if !e164.MatchString(p) {
		return "", invalid("Invalid parameter: %s Reason: input incorrectly formatted", param)
	}
	return p, nil
}

func (r *region) optedOut(phone string) (bool, error) {
	return store.GetJSON(r.tx, r.ns.Key("optout", phone), &optOutRec{})
}

func (s *Service) CheckIfPhoneNumberIsOptedOut(ctx context.Context, in *snsapi.CheckIfPhoneNumberIsOptedOutInput) (*snsapi.CheckIfPhoneNumberIsOptedOutResponse, error) {
	phone, err := checkPhone("phoneNumber", in.PhoneNumber)
	if err != nil {
		return nil, err
	}
	var out bool
	if err := s.view(ctx, func(r *region) (err error) { out, err = r.optedOut(phone); return }); err != nil {
		return nil, err
	}
	return &snsapi.CheckIfPhoneNumberIsOptedOutResponse{IsOptedOut: api.Ptr(out)}, nil
}

func (s *Service) ListPhoneNumbersOptedOut(ctx context.Context, in *snsapi.ListPhoneNumbersOptedOutInput) (*snsapi.ListPhoneNumbersOptedOutResponse, error) {
	out := &snsapi.ListPhoneNumbersOptedOutResponse{PhoneNumbers: []string{}}
	err := s.view(ctx, func(r *region) error {
		start, err := r.resumeKey(in.NextToken, 1, "optout")
		if err != nil {
			return err
		}
		return r.tx.Scan(r.ns.Prefix("optout"), start, func(k, _ []byte) error {
			parts, ok := r.ns.Parts(k)
			if !ok || len(parts) != 2 {
				return nil
			}
			if len(out.PhoneNumbers) == optedOutPerPage {
				out.NextToken = api.Ptr(encodeToken(parts[1]))
				return store.ErrStop
			}
			out.PhoneNumbers = append(out.PhoneNumbers, parts[1])
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OptInPhoneNumber opts an opted-out number back in. As on AWS a number
// can be opted in only once every 30 days (by the service clock); opting
// in a number that is not opted out does nothing.
func (s *Service) OptInPhoneNumber(ctx context.Context, in *snsapi.OptInPhoneNumberInput) (*snsapi.OptInPhoneNumberResponse, error) {
	phone, err := checkPhone("phoneNumber", in.PhoneNumber)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(r *region) error {
		out, err := r.optedOut(phone)
		if err != nil || !out {
			return err
		}
		var last optInRec
		ok, err := store.GetJSON(r.tx, r.ns.Key("optin", phone), &last)
		if err != nil {
			return err
		}
		if ok && r.now.Before(time.UnixMilli(last.At).Add(optInInterval)) {
			// The error AWS returns (seen in SDK stubs of real responses).
			return invalid("Invalid parameter: Cannot opt in right now, latest opt in is too recent")
		}
		if err := r.tx.Delete(r.ns.Key("optout", phone)); err != nil {
			return err
		}
		return store.PutJSON(r.tx, r.ns.Key("optin", phone), &optInRec{At: r.now.UnixMilli()})
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.OptInPhoneNumberResponse{}, nil
}

// OptOut records that phone opted out of texts from account in region.
// On AWS a recipient opts out by replying STOP (or CANCEL, END, QUIT,
// UNSUBSCRIBE, …) to a text; kiri's texts go to a mailbox nobody replies
// from, so this is the hook by which the app (a console button, an
// internal endpoint) or a test plays the recipient. An opted-out number
// receives no texts (Publish to it still succeeds, as on AWS, and the
// text is dropped) until OptInPhoneNumber.
func (s *Service) OptOut(account, reg, phone string) error {
	if !e164.MatchString(phone) {
		return fmt.Errorf("sns: %q is not an E.164 phone number", phone)
	}
	return s.updateIn(account, reg, func(r *region) error {
		if out, err := r.optedOut(phone); err != nil || out {
			return err
		}
		return store.PutJSON(r.tx, r.ns.Key("optout", phone), &optOutRec{At: r.now.UnixMilli()})
	})
}

// --- SMS sandbox ---

// GetSMSSandboxAccountStatus reports Config.SMSSandbox. New AWS accounts
// start in the SMS sandbox and leave it by a support request; kiri
// accounts behave as accounts that have left it (a local emulator has no
// reputation to protect and its texts reach no phone), unless the
// SMSSandbox setting puts every account in it.
func (s *Service) GetSMSSandboxAccountStatus(ctx context.Context, in *snsapi.GetSMSSandboxAccountStatusInput) (*snsapi.GetSMSSandboxAccountStatusResult, error) {
	return &snsapi.GetSMSSandboxAccountStatusResult{IsInSandbox: api.Ptr(s.cfg.SMSSandbox)}, nil
}

func (r *region) sandboxNumber(phone string) (*sandboxRec, bool, error) {
	var rec sandboxRec
	ok, err := store.GetJSON(r.tx, r.ns.Key("sandbox", phone), &rec)
	if err != nil || !ok {
		return nil, false, err
	}
	return &rec, true, nil
}

func (r *region) putSandboxNumber(rec *sandboxRec) error {
	return store.PutJSON(r.tx, r.ns.Key("sandbox", rec.Phone), rec)
}

// newOTP returns a six-digit one-time password.
func newOTP() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// otpText is the verification text; kiri writes it in English whatever
// the LanguageCode.
func otpText(otp string) string {
	return "Your Amazon SNS verification code is " + otp + "."
}

// CreateSMSSandboxPhoneNumber adds a destination number to the sandbox
// (or, for one still Pending, sends a new one-time password) and texts it
// the OTP, which lands in the mailbox.
func (s *Service) CreateSMSSandboxPhoneNumber(ctx context.Context, in *snsapi.CreateSMSSandboxPhoneNumberInput) (*snsapi.CreateSMSSandboxPhoneNumberResult, error) {
	phone, err := checkPhone("PhoneNumber", in.PhoneNumber)
	if err != nil {
		return nil, err
	}
	lang := api.Deref(in.LanguageCode)
	if lang == "" {
		lang = "en-US"
	}
	if !sandboxLanguages[lang] {
		return nil, invalid("Invalid parameter: LanguageCode Reason: %s is not a supported language code", lang)
	}
	otp := ""
	err = s.update(ctx, func(r *region) error {
		otp = ""
		if out, err := r.optedOut(phone); err != nil {
			return err
		} else if out {
			return snsapi.NewOptedOutException("Phone number is opted out.")
		}
		rec, ok, err := r.sandboxNumber(phone)
		if err != nil {
			return err
		}
		now := r.now.UnixMilli()
		if !ok {
			n := 0
			if err := r.tx.Scan(r.ns.Prefix("sandbox"), nil, func(_, _ []byte) error { n++; return nil }); err != nil {
				return err
			}
			if n >= maxSandboxNumbers {
				return snsapi.NewUserErrorException("You can have up to %d destination phone numbers in the SMS sandbox.", maxSandboxNumbers)
			}
			rec = &sandboxRec{Phone: phone, Status: "Pending", Created: now}
		}
		if rec.Status == "Verified" {
			return nil // already verified: nothing to send
		}
		var recent []int64
		for _, t := range rec.Sends {
			if now-t < (24 * time.Hour).Milliseconds() {
				recent = append(recent, t)
			}
		}
		if len(recent) >= maxOTPsPerDay {
			return snsapi.NewThrottledException("You can send the one-time password to a phone number up to %d times every 24 hours.", maxOTPsPerDay)
		}
		rec.Sends = append(recent, now)
		rec.Language = lang
		rec.OTP = newOTP()
		otp = rec.OTP
		return r.putSandboxNumber(rec)
	})
	if err != nil {
		return nil, err
	}
	if otp != "" {
		account, reg := request.Scope(ctx)
		// The OTP comes from AWS, not the account: no sender ID.
		if err := s.textMailbox(ctx, account, phone, "", otpText(otp)); err != nil {
			s.logf("sns: one-time password to %s (%s): %v", phone, reg, err)
		}
	}
	return &snsapi.CreateSMSSandboxPhoneNumberResult{}, nil
}

func (s *Service) VerifySMSSandboxPhoneNumber(ctx context.Context, in *snsapi.VerifySMSSandboxPhoneNumberInput) (*snsapi.VerifySMSSandboxPhoneNumberResult, error) {
	phone, err := checkPhone("PhoneNumber", in.PhoneNumber)
	if err != nil {
		return nil, err
	}
	otp := api.Deref(in.OneTimePassword)
	if !otpPattern.MatchString(otp) {
		return nil, invalid("Invalid parameter: OneTimePassword Reason: must be 5 to 8 digits")
	}
	var verr error
	err = s.update(ctx, func(r *region) error {
		verr = nil
		rec, ok, err := r.sandboxNumber(phone)
		if err != nil {
			return err
		}
		if !ok {
			return snsapi.NewResourceNotFoundException("Phone number %s is not in the SMS sandbox of this account.", phone)
		}
		if rec.Status == "Verified" {
			return nil
		}
		rec.Attempt = r.now.UnixMilli()
		if otp != rec.OTP {
			// The failed attempt is recorded (it delays deletion), so
			// the error is returned after the transaction commits.
			verr = snsapi.NewVerificationException("Invalid one-time password.")
		} else {
			rec.Status, rec.OTP, rec.Verified, rec.Sends = "Verified", "", rec.Attempt, nil
		}
		return r.putSandboxNumber(rec)
	})
	if err != nil {
		return nil, err
	}
	if verr != nil {
		return nil, verr
	}
	return &snsapi.VerifySMSSandboxPhoneNumberResult{}, nil
}

func (s *Service) DeleteSMSSandboxPhoneNumber(ctx context.Context, in *snsapi.DeleteSMSSandboxPhoneNumberInput) (*snsapi.DeleteSMSSandboxPhoneNumberResult, error) {
	phone, err := checkPhone("PhoneNumber", in.PhoneNumber)
	if err != nil {
		return nil, err
	}
	err = s.update(ctx, func(r *region) error {
		rec, ok, err := r.sandboxNumber(phone)
		if err != nil {
			return err
		}
		if !ok {
			return snsapi.NewResourceNotFoundException("Phone number %s is not in the SMS sandbox of this account.", phone)
		}
		last := max(rec.Verified, rec.Attempt)
		if last != 0 && r.now.Before(time.UnixMilli(last).Add(sandboxDeleteDelay)) {
			return snsapi.NewUserErrorException("You can delete a destination phone number only 24 hours after its verification or last verification attempt.")
		}
		return r.tx.Delete(r.ns.Key("sandbox", phone))
	})
	if err != nil {
		return nil, err
	}
	return &snsapi.DeleteSMSSandboxPhoneNumberResult{}, nil
}

func (s *Service) ListSMSSandboxPhoneNumbers(ctx context.Context, in *snsapi.ListSMSSandboxPhoneNumbersInput) (*snsapi.ListSMSSandboxPhoneNumbersResult, error) {
	limit := sandboxPerPage
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > sandboxPerPage {
			return nil, invalid("Invalid parameter: MaxResults Reason: must be between 1 and %d", sandboxPerPage)
		}
		limit = int(*in.MaxResults)
	}
	out := &snsapi.ListSMSSandboxPhoneNumbersResult{PhoneNumbers: []snsapi.SMSSandboxPhoneNumber{}}
	err := s.view(ctx, func(r *region) error {
		start, err := r.resumeKey(in.NextToken, 1, "sandbox")
		if err != nil {
			return err
		}
		return scanJSON(r.tx, r.ns.Prefix("sandbox"), start, func(_ []byte, rec *sandboxRec) error {
			if len(out.PhoneNumbers) == limit {
				out.NextToken = api.Ptr(encodeToken(rec.Phone))
				return store.ErrStop
			}
			out.PhoneNumbers = append(out.PhoneNumbers, snsapi.SMSSandboxPhoneNumber{PhoneNumber: api.Ptr(rec.Phone), Status: api.Ptr(rec.Status)})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListOriginationNumbers: kiri accounts own no origination numbers (toll-
// free numbers, 10DLC, short codes), so every page is empty and there is
// no next page; a NextToken cannot be one kiri gave out.
func (s *Service) ListOriginationNumbers(ctx context.Context, in *snsapi.ListOriginationNumbersRequest) (*snsapi.ListOriginationNumbersResult, error) {
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > originationPerPage) {
		return nil, snsapi.NewValidationException("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *in.MaxResults, originationPerPage)
	}
	if api.Deref(in.NextToken) != "" {
		return nil, invalid("Invalid parameter: NextToken")
	}
	return &snsapi.ListOriginationNumbersResult{PhoneNumbers: []snsapi.PhoneNumberInformation{}}, nil
}

// --- sending ---

// smsSenderID is the sender ID of a text: the message's
// AWS.SNS.SMS.SenderID attribute, else the account's DefaultSenderID.
func (r *region) smsSenderID(attrs map[string]MessageAttribute) (string, error) {
	if a, ok := attrs["AWS.SNS.SMS.SenderID"]; ok && a.StringValue != "" {
		return a.StringValue, nil
	}
	all, err := r.smsAttrs()
	if err != nil {
		return "", err
	}
	return all["DefaultSenderID"], nil
}

// errSMSSandbox is Publish's error for a text to a number that is not a
// verified destination number of an account in the SMS sandbox. The
// sandbox documentation says only that such an account "can send SMS
// messages only to verified destination phone numbers"; of Publish's
// documented errors, AuthorizationError ("denied access to the requested
// resource") is the one that fits.
func errSMSSandbox(phone string) error {
	return snsapi.NewAuthorizationErrorException("Phone number %s is not verified. While your account is in the SMS sandbox, you can send SMS messages only to verified destination phone numbers.", phone)
}

// smsCheck decides whether a text to phone may go: it fails with the
// sandbox error, or reports drop for an opted-out number, and returns the
// sender ID otherwise.
func (r *region) smsCheck(sandbox bool, phone string, attrs map[string]MessageAttribute) (senderID string, drop bool, err error) {
	if sandbox {
		rec, ok, err := r.sandboxNumber(phone)
		if err != nil {
			return "", false, err
		}
		if !ok || rec.Status != "Verified" {
			return "", false, errSMSSandbox(phone)
		}
	}
	if out, err := r.optedOut(phone); err != nil || out {
		return "", out, err
	}
	senderID, err = r.smsSenderID(attrs)
	return senderID, false, err
}

// publishSMS sends a message straight to a phone number: it lands in
// kiri's outbound mailbox. In the sandbox only verified numbers may be
// texted. A text to an opted-out number is accepted and not sent: AWS's
// Publish lists no OptedOut error, and its guide says texts to opted-out
// numbers fail to deliver.
func (s *Service) publishSMS(ctx context.Context, phone string, m *message) (*snsapi.PublishResponse, error) {
	if !e164.MatchString(phone) {
		return nil, invalid("Invalid parameter: PhoneNumber Reason: %s is not valid to publish to", phone)
	}
	account, reg := request.Scope(ctx)
	var senderID string
	var drop bool
	err := s.viewIn(account, reg, func(r *region) (err error) {
		senderID, drop, err = r.smsCheck(s.cfg.SMSSandbox, phone, m.attrs)
		return err
	})
	if err != nil {
		return nil, err
	}
	id := request.NewID()
	if drop {
		s.logf("sns: text message %s to %s not sent: the number opted out", id, phone)
	} else if err := s.textMailbox(ctx, account, phone, senderID, m.bodyFor("sms")); err != nil {
		return nil, err
	}
	return &snsapi.PublishResponse{MessageId: api.Ptr(id)}, nil
}

// sendSMS delivers a topic's message to an sms subscription: like
// publishSMS, except that a number barred by the sandbox or opted out
// (which keeps its subscription, as on AWS) is a failed delivery, logged
// and not retried.
func (s *Service) sendSMS(ctx context.Context, account, reg, phone, text string, attrs map[string]MessageAttribute) error {
	var senderID string
	var drop bool
	err := s.viewIn(account, reg, func(r *region) (err error) {
		senderID, drop, err = r.smsCheck(s.cfg.SMSSandbox, phone, attrs)
		return err
	})
	switch {
	case errCode(err) != "":
		s.logf("sns: text message to %s not sent: %v", phone, err)
		return nil
	case err != nil:
		return err
	case drop:
		s.logf("sns: text message to %s not sent: the number opted out", phone)
		return nil
	}
	return s.textMailbox(ctx, account, phone, senderID, text)
}

// textMailbox puts a text message to phone in kiri's outbound mailbox,
// where SMS that AWS would send lands like mail: To is the phone number,
// From the sender ID (if any), the text is the message, and there is no
// subject.
func (s *Service) textMailbox(ctx context.Context, account, phone, senderID, text string) error {
	if s.cfg.Mailbox == nil {
		return fmt.Errorf("no mailbox configured")
	}
	_, err := s.cfg.Mailbox.Deliver(ctx, mailbox.Mail{
		Account: account, Source: "sns-sms", From: senderID, To: []string{phone}, Text: text, Time: s.now(),
	})
	return err
}
