//! Who the Duo emulator knows: users, their phones (with or without Duo Mobile), their passcodes,
//! and what they do with a push.

use std::time::Duration;

/// One of a user's enrolled devices.
#[derive(Debug, Clone)]
pub struct DuoDevice {
    pub name: String,
    /// The last digits of its phone number.
    pub end_of_number: String,
    /// Duo Mobile activated: it takes pushes.
    pub push: bool,
    /// A phone number: it takes calls and text messages (a tablet has none).
    pub number: bool,
}

impl DuoDevice {
    pub fn phone(name: &str, end_of_number: &str) -> Self {
        DuoDevice {
            name: name.into(),
            end_of_number: end_of_number.into(),
            push: true,
            number: true,
        }
    }

    /// A tablet with Duo Mobile: pushes only, no calls or text messages.
    pub fn tablet(name: &str) -> Self {
        DuoDevice {
            name: name.into(),
            end_of_number: String::new(),
            push: true,
            number: false,
        }
    }

    /// A device without Duo Mobile (a hardware token's owner, an SMS-only phone): no push.
    pub fn without_push(mut self) -> Self {
        self.push = false;
        self
    }
}

/// What the person does with a push on their phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushAnswer {
    /// Approves it after this long.
    Approve(Duration),
    /// Denies it after this long.
    Deny(Duration),
    /// Never answers: Duo gives up after this long.
    Ignore(Duration),
}

/// A Duo user.
#[derive(Debug, Clone)]
pub struct DuoUser {
    pub username: String,
    pub devices: Vec<DuoDevice>,
    /// Passcodes Duo accepts (each once, as Duo's are).
    pub passcodes: Vec<String>,
    pub push: PushAnswer,
    /// What the person does when Duo calls (answers and presses a key: approve).
    pub call: PushAnswer,
    /// The passcode a text message brings (accepted once, after Duo sent it).
    pub sms_passcode: Option<String>,
    /// Verified Duo Push: the code the prompt shows and the person types in Duo Mobile.
    pub step_up_code: Option<String>,
}

impl DuoUser {
    pub fn new(username: &str) -> Self {
        DuoUser {
            username: username.into(),
            devices: Vec::new(),
            passcodes: Vec::new(),
            push: PushAnswer::Approve(Duration::from_millis(1500)),
            call: PushAnswer::Approve(Duration::from_millis(1500)),
            sms_passcode: None,
            step_up_code: None,
        }
    }

    pub fn call_answer(mut self, answer: PushAnswer) -> Self {
        self.call = answer;
        self
    }

    pub fn sms_passcode(mut self, code: &str) -> Self {
        self.sms_passcode = Some(code.into());
        self
    }

    /// Pushes to this user are Verified Duo Pushes showing `code`.
    pub fn verified_push(mut self, code: &str) -> Self {
        self.step_up_code = Some(code.into());
        self
    }

    pub fn device(mut self, device: DuoDevice) -> Self {
        self.devices.push(device);
        self
    }

    pub fn passcode(mut self, code: &str) -> Self {
        self.passcodes.push(code.into());
        self
    }

    pub fn push_answer(mut self, answer: PushAnswer) -> Self {
        self.push = answer;
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct DuoConfig {
    pub users: Vec<DuoUser>,
    /// An older prompt: no JSON data (`/frame/v4/auth/prompt/data` is a 404); clients read the
    /// prompt page's device select and preferred factor and device.
    pub no_prompt_data: bool,
    /// The plugin form's post answers a bare page at the frameless address (preferred factor and
    /// device, no `_xsrf`, no device list) and there is no JSON data: all that aws-adfs needs.
    pub bare_prompt: bool,
    /// Duo's newer single-page prompt (`/prompt/<akey>/…` JSON endpoints keyed by an authkey)
    /// instead of the frame prompt: the authorize URL leads to it.
    pub single_page: bool,
    /// The single-page prompt, reached through the frameless page's plugin form.
    pub single_page_after_plugin_form: bool,
    /// "Remember me": a browser that chose it is not prompted again for this long.
    pub remember: Option<Duration>,
}

impl DuoConfig {
    pub fn without_prompt_data(mut self) -> Self {
        self.no_prompt_data = true;
        self
    }

    pub fn bare_prompt(mut self) -> Self {
        self.bare_prompt = true;
        self.no_prompt_data = true;
        self
    }

    pub fn single_page(mut self) -> Self {
        self.single_page = true;
        self
    }

    pub fn single_page_after_plugin_form(mut self) -> Self {
        self.single_page_after_plugin_form = true;
        self
    }

    pub fn remember_for(mut self, lifetime: Duration) -> Self {
        self.remember = Some(lifetime);
        self
    }

    pub fn user(mut self, user: DuoUser) -> Self {
        self.users.push(user);
        self
    }
}
