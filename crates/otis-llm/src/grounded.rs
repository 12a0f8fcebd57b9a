//! How a text model answers a grounded question: the [`ChatRequest`] becomes one prompt
//! ([`prompt`]), which the model's own `TextModel::reply` and `stream_reply` answer.
//! [`chat_model_by_prompt!`] writes that `ChatModel` impl for each text model here.

use otis_core::ports::{ChatRequest, TextPrompt};
use otis_core::prompt;

/// A grounded question as the prompt every text model gets, with up to `source_chars`
/// characters of each source.
pub(crate) fn prompt(request: &ChatRequest, source_chars: usize) -> TextPrompt {
    TextPrompt {
        messages: prompt::messages(request, source_chars),
        temperature: request.temperature,
        max_tokens: request.max_tokens,
    }
}

/// `impl ChatModel for $model` of a text model: `complete` and `stream` answer the
/// [`prompt`] of the request (with `$source_chars` of each source) by the model's
/// `TextModel` reply; `name` is `$name`, computed from the model `$this`;
/// `as_text_model` is the model itself.
macro_rules! chat_model_by_prompt {
    ($model:ty, source_chars: $source_chars:expr, name: |$this:ident| $name:expr) => {
        #[::async_trait::async_trait]
        impl ::otis_core::ports::ChatModel for $model {
            fn name(&self) -> String {
                let $this = self;
                $name
            }

            async fn complete(
                &self,
                request: &::otis_core::ports::ChatRequest,
            ) -> Result<::otis_core::ports::ChatResponse, ::otis_core::ports::ChatError> {
                let prompt = $crate::grounded::prompt(request, $source_chars);
                ::otis_core::ports::TextModel::reply(self, &prompt).await
            }

            async fn stream(
                &self,
                request: &::otis_core::ports::ChatRequest,
                sink: &mut dyn ::otis_core::ports::DeltaSink,
            ) -> Result<::otis_core::ports::ChatResponse, ::otis_core::ports::ChatError> {
                let prompt = $crate::grounded::prompt(request, $source_chars);
                ::otis_core::ports::TextModel::stream_reply(self, &prompt, sink).await
            }

            fn as_text_model(&self) -> Option<&dyn ::otis_core::ports::TextModel> {
                Some(self)
            }
        }
    };
}

pub(crate) use chat_model_by_prompt;
