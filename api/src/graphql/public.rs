//! The public read surface of GraphQL: without a token, the caller is the anonymous reader and
//! may ask only the root fields that can serve `public` data; every other root field (and any
//! mutation) answers `UNAUTHENTICATED`, exactly as before the surface existed. What a public
//! field returns is decided by the same domain rules as for everyone (public plans, their
//! public indicators, approved values).

use std::sync::Arc;

use async_graphql::{
    ErrorExtensions, ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
};
use domain::principal::Principal;

/// The `Query` fields an anonymous caller may ask.
pub const PUBLIC_QUERIES: [&str; 10] =
    ["administrations", "administration", "plans", "plan", "objective", "indicator", "comparison", "indicatorDefinitions", "practices", "practice"];

pub struct PublicSurface;

impl ExtensionFactory for PublicSurface {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PublicSurface)
    }
}

#[async_trait::async_trait]
impl Extension for PublicSurface {
    async fn resolve(&self, ctx: &ExtensionContext<'_>, info: ResolveInfo<'_>, next: NextResolve<'_>) -> ServerResult<Option<Value>> {
        let root = info.path_node.parent.is_none();
        let anonymous = ctx.data_opt::<Arc<Principal>>().is_none_or(|who| who.is_anonymous());
        let public = info.parent_type == "Query" && (PUBLIC_QUERIES.contains(&info.name) || info.name.starts_with("__"));
        if root && anonymous && !public {
            let error =
                async_graphql::Error::new("authentication required: send `Authorization: Bearer <token>`").extend_with(|_, e| e.set("code", "UNAUTHENTICATED"));
            return Err(error.into_server_error(async_graphql::Pos::default()));
        }
        next.run(ctx, info).await
    }
}
