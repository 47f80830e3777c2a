//! `dcmaid:bot@0.1.0`'s capabilities, served by the newest version's: each function is a
//! thin delegate that upgrades its arguments, calls the capability as 0.2.0 defines it, and
//! downgrades the answer (see [`super::convert`]).

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use super::bindings::dcmaid::bot as old;
use crate::budget::PluginBudget;
use crate::capabilities::config::Settings;
use crate::capabilities::kv::KvTable;
use crate::capabilities::llm::PluginModels;
use crate::capabilities::scheduler::PluginJobs;
use crate::capabilities::store::Documents;
use crate::capabilities::{Access, CallCapabilities, CallView, HasCapabilities};
use crate::telemetry;
use crate::wit::convert::{Downgrade, Upgrade};
use crate::wit::v0_2::dcmaid::bot as new;

type Labels = Vec<(String, String)>;
type Filter = Vec<(String, String)>;

/// Add every 0.1.0 capability interface to `linker`, beside the newest version's.
pub fn add_to_linker<T: CallView + HasCapabilities>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    old::types::add_to_linker::<T, HasSelf<CallCapabilities>>(linker, |d| d.capabilities())?;
    old::log::add_to_linker::<T, HasSelf<Access<Arc<PluginBudget>>>>(linker, |d| {
        &mut d.capabilities().log
    })?;
    old::config::add_to_linker::<T, HasSelf<Access<Settings>>>(linker, |d| {
        &mut d.capabilities().config
    })?;
    old::kv::add_to_linker::<T, HasSelf<Access<KvTable>>>(linker, |d| &mut d.capabilities().kv)?;
    old::llm::add_to_linker::<T, HasSelf<Access<PluginModels>>>(linker, |d| {
        &mut d.capabilities().llm
    })?;
    old::metrics::add_to_linker::<T, HasSelf<Access<Arc<telemetry::Metrics>>>>(linker, |d| {
        &mut d.capabilities().metrics
    })?;
    old::scheduler::add_to_linker::<T, HasSelf<Access<PluginJobs>>>(linker, |d| {
        &mut d.capabilities().scheduler
    })?;
    old::store::add_to_linker::<T, HasSelf<Access<Documents>>>(linker, |d| {
        &mut d.capabilities().store
    })?;
    // `wasi:http` is the same in every version.
    Ok(())
}

impl old::types::Host for CallCapabilities {}

impl old::log::Host for Access<Arc<PluginBudget>> {
    fn log(&mut self, level: old::log::Level, message: String) {
        new::log::Host::log(self, level.upgrade(), message)
    }
}

impl old::config::Host for Access<Settings> {
    fn get(&mut self, key: String) -> Option<String> {
        new::config::Host::get(self, key)
    }

    fn all(&mut self) -> String {
        new::config::Host::all(self)
    }
}

impl old::kv::Host for Access<KvTable> {
    async fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, old::kv::KvError> {
        new::kv::Host::get(self, key).await.downgrade()
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), old::kv::KvError> {
        new::kv::Host::set(self, key, value).await.downgrade()
    }

    async fn delete(&mut self, key: String) -> Result<bool, old::kv::KvError> {
        new::kv::Host::delete(self, key).await.downgrade()
    }

    async fn list_keys(
        &mut self,
        prefix: String,
        limit: u32,
    ) -> Result<Vec<String>, old::kv::KvError> {
        new::kv::Host::list_keys(self, prefix, limit).await.downgrade()
    }
}

impl old::llm::Host for Access<PluginModels> {
    async fn infer(
        &mut self,
        request: old::llm::Inference,
    ) -> Result<old::llm::Completion, old::llm::LlmError> {
        new::llm::Host::infer(self, request.upgrade()).await.downgrade()
    }

    async fn embed(&mut self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, old::llm::LlmError> {
        new::llm::Host::embed(self, texts).await.map_err(Downgrade::downgrade)
    }
}

impl old::metrics::Host for Access<Arc<telemetry::Metrics>> {
    fn increment(
        &mut self,
        name: String,
        labels: Labels,
        by: f64,
    ) -> Result<(), old::metrics::MetricsError> {
        new::metrics::Host::increment(self, name, labels, by).downgrade()
    }

    fn set(
        &mut self,
        name: String,
        labels: Labels,
        value: f64,
    ) -> Result<(), old::metrics::MetricsError> {
        new::metrics::Host::set(self, name, labels, value).downgrade()
    }

    fn observe(
        &mut self,
        name: String,
        labels: Labels,
        value: f64,
    ) -> Result<(), old::metrics::MetricsError> {
        new::metrics::Host::observe(self, name, labels, value).downgrade()
    }
}

impl old::scheduler::Host for Access<PluginJobs> {
    async fn schedule(
        &mut self,
        job: old::scheduler::Job,
    ) -> Result<(), old::scheduler::SchedulerError> {
        new::scheduler::Host::schedule(self, job.upgrade()).await.downgrade()
    }

    async fn unschedule(&mut self, name: String) -> Result<bool, old::scheduler::SchedulerError> {
        new::scheduler::Host::unschedule(self, name).await.downgrade()
    }

    async fn jobs(&mut self) -> Result<Vec<old::scheduler::Job>, old::scheduler::SchedulerError> {
        new::scheduler::Host::jobs(self).await.downgrade()
    }
}

type StoreResult<T> = Result<T, old::store::StoreError>;

impl old::store::Host for Access<Documents> {
    async fn define(&mut self, collection: old::store::Collection) -> StoreResult<()> {
        new::store::Host::define(self, collection.upgrade()).await.downgrade()
    }

    async fn insert(
        &mut self,
        collection: String,
        fields: String,
        vector: Option<Vec<f32>>,
    ) -> StoreResult<String> {
        new::store::Host::insert(self, collection, fields, vector).await.downgrade()
    }

    async fn put(
        &mut self,
        collection: String,
        id: String,
        fields: String,
        vector: Option<Vec<f32>>,
    ) -> StoreResult<()> {
        new::store::Host::put(self, collection, id, fields, vector).await.downgrade()
    }

    async fn get(
        &mut self,
        collection: String,
        id: String,
    ) -> StoreResult<Option<old::store::Entry>> {
        new::store::Host::get(self, collection, id).await.downgrade()
    }

    async fn remove(&mut self, collection: String, id: String) -> StoreResult<bool> {
        new::store::Host::remove(self, collection, id).await.downgrade()
    }

    async fn find(
        &mut self,
        collection: String,
        filter: Filter,
        limit: u32,
    ) -> StoreResult<Vec<old::store::Entry>> {
        new::store::Host::find(self, collection, filter, limit).await.downgrade()
    }

    async fn nearest(
        &mut self,
        collection: String,
        vector: Vec<f32>,
        filter: Filter,
        limit: u32,
    ) -> StoreResult<Vec<old::store::Hit>> {
        new::store::Host::nearest(self, collection, vector, filter, limit).await.downgrade()
    }

    async fn search(
        &mut self,
        collection: String,
        query: String,
        filter: Filter,
        limit: u32,
    ) -> StoreResult<Vec<old::store::Hit>> {
        new::store::Host::search(self, collection, query, filter, limit).await.downgrade()
    }

    async fn relate(
        &mut self,
        collection: String,
        relation: String,
        source: String,
        target: String,
        fields: String,
    ) -> StoreResult<()> {
        new::store::Host::relate(self, collection, relation, source, target, fields)
            .await
            .downgrade()
    }

    async fn related(
        &mut self,
        collection: String,
        relation: String,
        id: String,
        limit: u32,
    ) -> StoreResult<Vec<old::store::Edge>> {
        new::store::Host::related(self, collection, relation, id, limit).await.downgrade()
    }
}
