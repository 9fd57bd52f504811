//! A person at the terminal, scripted: types a secret once, picks a line from a choice, or is not
//! there at all; records what was asked and what the picker showed.

use crate::answers::prompt::Prompt;
use crate::secret::Secret;
use std::io;
use std::sync::Mutex;

pub(crate) struct ScriptedPrompt {
    interactive: bool,
    /// The answer to the first `secret` question; taken by it.
    secret: Mutex<Option<io::Result<Secret>>>,
    /// The answer to every `choose`.
    choice: Option<io::Result<usize>>,
    asked: Mutex<Vec<String>>,
    shown: Mutex<Vec<(String, Vec<String>)>>,
}

impl ScriptedPrompt {
    /// Nobody at the terminal: not interactive, and no answer to any question.
    pub fn nobody() -> Self {
        ScriptedPrompt {
            interactive: false,
            secret: Mutex::new(None),
            choice: None,
            asked: Mutex::default(),
            shown: Mutex::default(),
        }
    }

    /// Someone who types `secret` at the first secret question (and has nothing for a second).
    pub fn typing(secret: &str) -> Self {
        Self::answering_secret(Ok(Secret::new(secret)))
    }

    /// Someone whose secret question fails with `error` (the terminal closed, Ctrl-C...).
    pub fn failing(error: io::Error) -> Self {
        Self::answering_secret(Err(error))
    }

    /// Someone who answers every choice with `answer` (an index, or an error).
    pub fn choosing(answer: io::Result<usize>) -> Self {
        ScriptedPrompt {
            interactive: true,
            choice: Some(answer),
            ..Self::nobody()
        }
    }

    fn answering_secret(answer: io::Result<Secret>) -> Self {
        ScriptedPrompt {
            interactive: true,
            secret: Mutex::new(Some(answer)),
            ..Self::nobody()
        }
    }

    /// The labels of the text and secret questions, in order.
    pub fn asked(&self) -> Vec<String> {
        lock(&self.asked).clone()
    }

    /// Each choice offered: its title and its lines.
    pub fn shown(&self) -> Vec<(String, Vec<String>)> {
        lock(&self.shown).clone()
    }
}

impl Prompt for ScriptedPrompt {
    fn is_interactive(&self) -> bool {
        self.interactive
    }
    fn text(&self, label: &str) -> io::Result<String> {
        lock(&self.asked).push(label.to_string());
        Err(io::Error::new(io::ErrorKind::Unsupported, "not scripted"))
    }
    fn secret(&self, label: &str) -> io::Result<Secret> {
        lock(&self.asked).push(label.to_string());
        lock(&self.secret).take().unwrap_or_else(|| {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "no scripted answer (left)",
            ))
        })
    }
    fn choose(&self, title: &str, items: &[String]) -> io::Result<usize> {
        lock(&self.shown).push((title.to_owned(), items.to_vec()));
        match &self.choice {
            Some(Ok(i)) => Ok(*i),
            Some(Err(e)) => Err(io::Error::new(e.kind(), e.to_string())),
            None => Err(io::Error::new(io::ErrorKind::Unsupported, "not scripted")),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
