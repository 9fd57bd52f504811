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
}

impl DuoDevice {
    pub fn phone(name: &str, end_of_number: &str) -> Self {
        DuoDevice {
            name: name.into(),
            end_of_number: end_of_number.into(),
            push: true,
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
}

impl DuoUser {
    pub fn new(username: &str) -> Self {
        DuoUser {
            username: username.into(),
            devices: Vec::new(),
            passcodes: Vec::new(),
            push: PushAnswer::Approve(Duration::from_millis(1500)),
        }
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
}

impl DuoConfig {
    pub fn without_prompt_data(mut self) -> Self {
        self.no_prompt_data = true;
        self
    }

    pub fn user(mut self, user: DuoUser) -> Self {
        self.users.push(user);
        self
    }
}
