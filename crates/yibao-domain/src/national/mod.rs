//! Rules of the national designated-institution interface that need no I/O (docs/national.md).
//! The envelope and the transactions are the service's (`yibao_service::national`); what is here
//! is pure: the files 3202 exchanges, and the rules of the social security card as a credential.

pub mod card;
pub mod statement;
