package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.cache.Cache.ValueWrapper;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.annotation.WriteMode;
import dev.tieredcache.cache.LoadWaitInterruptedException;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.interceptor.CacheOperations.InvalidateOperation;
import dev.tieredcache.interceptor.CacheOperations.ReadOperation;
import dev.tieredcache.interceptor.CacheOperations.WriteOperation;
import dev.tieredcache.redis.RateLimitedLog;

/**
 * The advice behind {@code @ReadThrough}, {@code @WriteThrough}, {@code @InvalidateTags}
 * and {@code @VersionedGroup}.
 *
 * <p>The method's own outcome always reaches the caller: its exceptions unchanged, its
 * result even when caching it fails. A cache expression that cannot be evaluated for a call
 * (or a key that evaluates to null) is logged at WARN, naming the method and the
 * expression, and the call runs uncached. Writes, invalidations and bumps are applied after
 * a normal return, after the commit when a transaction is active.
 */
public class TieredCacheInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(TieredCacheInterceptor.class);

	private static final boolean[] NO_CONDITIONS = new boolean[0];

	private final CacheOperationSource source;

	private final TieredCacheManager manager;

	private final TieredCacheOperations operations;

	private final @Nullable BeanFactory beanFactory;

	private final Executor asyncExecutor;

	private final CacheKeys keys;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofMinutes(1));

	/**
	 * Creates the interceptor.
	 * @param source parses the annotations
	 * @param manager provides the caches
	 * @param operations performs invalidations and bumps
	 * @param beanFactory resolves {@code @bean} references in expressions
	 * @param asyncExecutor runs loads of {@code CompletableFuture} methods
	 */
	public TieredCacheInterceptor(CacheOperationSource source, TieredCacheManager manager,
			TieredCacheOperations operations, @Nullable BeanFactory beanFactory, Executor asyncExecutor) {
		this.source = source;
		this.manager = manager;
		this.operations = operations;
		this.beanFactory = beanFactory;
		this.asyncExecutor = asyncExecutor;
		this.keys = new CacheKeys();
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		CacheOperations operations = this.source.get(invocation.getMethod(), targetClass);
		if (operations == null) {
			return invocation.proceed();
		}
		InvocationContext context = new InvocationContext(operations.method(), invocation.getArguments(), target,
				(targetClass != null) ? targetClass : operations.method().getDeclaringClass(), this.beanFactory);
		boolean[] writeConditions = conditions(operations.writeConditions(), operations, context);
		boolean[] invalidateConditions = conditions(operations.invalidateConditions(), operations, context);
		invalidateBefore(operations, context, invalidateConditions);
		Object returned = (operations.read() != null) ? read(operations, context, invocation) : invocation.proceed();
		if (operations.hasAfterReturning()) {
			if (operations.returnKind() == ReturnKind.FUTURE && returned instanceof CompletableFuture<?> future) {
				return future.whenComplete((value, ex) -> {
					if (ex == null) {
						afterReturning(operations, context, value, writeConditions, invalidateConditions);
					}
				});
			}
			afterReturning(operations, context, operations.returnKind().unwrap(returned), writeConditions,
					invalidateConditions);
		}
		return returned;
	}

	private @Nullable Object read(CacheOperations operations, InvocationContext context, MethodInvocation invocation)
			throws Throwable {
		ReadOperation read = operations.read();
		TieredCache cache;
		String key;
		String[] tags;
		try {
			if (read.condition() != null && !read.condition().isTrue(context)) {
				return invocation.proceed();
			}
			cache = this.manager.getCache(read.cache());
			key = this.keys.key(read.key(), operations, context);
		}
		catch (CacheExpressionException ex) {
			warnUncached(operations, ex);
			return invocation.proceed();
		}
		ReturnKind kind = operations.returnKind();
		boolean refreshable = cache.refreshesInBackground();
		if (!refreshable) {
			ValueWrapper hit = cache.peekLocal(key);
			if (hit != null) {
				return kind.wrap(hit.get());
			}
		}
		try {
			// Only a load needs the tags: a hit already carries them.
			tags = CacheKeys.tags(read.tags(), operations.groups(), context);
		}
		catch (CacheExpressionException ex) {
			warnUncached(operations, ex);
			return invocation.proceed();
		}
		LoaderCall loader = new LoaderCall(invocation, kind);
		ReadRequest request = ReadRequest.of(key, tags, loader, unless(read, operations, context),
				refreshable ? refreshLoader(invocation, kind) : null);
		if (kind == ReturnKind.FUTURE) {
			try {
				return CompletableFuture.supplyAsync(() -> {
					try {
						return readThrough(cache, request, loader, operations);
					}
					catch (Throwable ex) {
						throw (ex instanceof CompletionException ce) ? ce : new CompletionException(ex);
					}
				}, this.asyncExecutor);
			}
			catch (RejectedExecutionException ex) {
				// The cache's threads are stopping with the application: the method still
				// answers, uncached, as the rule is that the cache never fails a read.
				return invocation.proceed();
			}
		}
		return kind.wrap(readThrough(cache, request, loader, operations));
	}

	private @Nullable Object readThrough(TieredCache cache, ReadRequest request, LoaderCall loader,
			CacheOperations operations) throws Throwable {
		try {
			return cache.readThrough(request);
		}
		catch (MethodFailure ex) {
			throw ex.getCause();
		}
		catch (LoadWaitInterruptedException ex) {
			// The caller's thread was interrupted: it must not go on to query the database.
			throw ex;
		}
		catch (RuntimeException ex) {
			// The cache itself failed: the caller still gets the method's answer.
			this.warnings.warn(operations.description(), () -> "Caching failed for " + operations.description()
					+ " (" + ex.getClass().getSimpleName() + "); the method's result is returned uncached");
			if (loader.hasRun()) {
				return loader.result();
			}
			try {
				return loader.load();
			}
			catch (MethodFailure failure) {
				throw failure.getCause();
			}
		}
	}

	private @Nullable Predicate<@Nullable Object> unless(ReadOperation read, CacheOperations operations,
			InvocationContext context) {
		CacheExpression unless = read.unless();
		if (unless == null) {
			return null;
		}
		return (value) -> {
			try {
				context.setResult(value);
				return !unless.isTrue(context);
			}
			catch (CacheExpressionException ex) {
				warnUncached(operations, ex);
				return false;
			}
		};
	}

	private static ValueLoader refreshLoader(MethodInvocation invocation, ReturnKind kind) {
		if (!(invocation instanceof ProxyMethodInvocation proxy)) {
			return null;
		}
		// Cloned lazily: a refresh only happens when this call did not proceed itself.
		return () -> kind.unwrap(proxy.invocableClone().proceed());
	}

	private void invalidateBefore(CacheOperations operations, InvocationContext context, boolean[] conditions) {
		List<InvalidateOperation> invalidations = operations.invalidations();
		for (int i = 0; i < invalidations.size(); i++) {
			InvalidateOperation invalidation = invalidations.get(i);
			if (invalidation.beforeInvocation() && conditions[i]) {
				invalidate(invalidation, operations, context);
			}
		}
	}

	private void afterReturning(CacheOperations operations, InvocationContext context, @Nullable Object result,
			boolean[] writeConditions, boolean[] invalidateConditions) {
		context.setResult(result);
		List<WriteOperation> writes = operations.writes();
		for (int i = 0; i < writes.size(); i++) {
			if (writeConditions[i]) {
				write(writes.get(i), operations, context, result);
			}
		}
		List<InvalidateOperation> invalidations = operations.invalidations();
		for (int i = 0; i < invalidations.size(); i++) {
			if (!invalidations.get(i).beforeInvocation() && invalidateConditions[i]) {
				invalidate(invalidations.get(i), operations, context);
			}
		}
		for (CacheExpression bump : operations.bumps()) {
			try {
				String group = String.valueOf(bump.value(context));
				AfterCommit.run(() -> this.operations.bumpVersion(group));
			}
			catch (CacheExpressionException ex) {
				warnSkipped(operations, ex);
			}
		}
	}

	private void write(WriteOperation write, CacheOperations operations, InvocationContext context,
			@Nullable Object result) {
		try {
			if (write.unless() != null && write.unless().isTrue(context)) {
				return;
			}
			TieredCache cache = this.manager.getCache(write.cache());
			String key = this.keys.key(write.key(), operations, context);
			if (write.mode() == WriteMode.EVICT) {
				AfterCommit.run(() -> safely(operations, () -> cache.evictKey(key)));
				return;
			}
			Object value = (write.value() != null) ? write.value().value(context) : result;
			String[] tags = CacheKeys.tags(write.tags(), operations.groups(), context);
			AfterCommit.run(() -> safely(operations, () -> cache.write(key, value, tags)));
		}
		catch (CacheExpressionException ex) {
			warnSkipped(operations, ex);
		}
	}

	private void invalidate(InvalidateOperation invalidation, CacheOperations operations, InvocationContext context) {
		try {
			List<CacheExpression> expressions = invalidation.tags();
			String[] tags = new String[expressions.size()];
			for (int i = 0; i < tags.length; i++) {
				tags[i] = String.valueOf(expressions.get(i).value(context));
			}
			Runnable change = () -> safely(operations, () -> this.operations.invalidateTags(tags));
			if (invalidation.beforeInvocation()) {
				change.run();
			}
			else {
				AfterCommit.run(change);
			}
		}
		catch (CacheExpressionException ex) {
			warnSkipped(operations, ex);
		}
	}

	private void safely(CacheOperations operations, Runnable change) {
		try {
			change.run();
		}
		catch (RuntimeException ex) {
			this.warnings.warn(operations.description(), () -> "A cache update after " + operations.description()
					+ " failed (" + ex.getClass().getSimpleName() + "); the method's result is unaffected");
		}
	}

	private boolean[] conditions(List<CacheExpression> conditions, CacheOperations operations,
			InvocationContext context) {
		if (conditions.isEmpty()) {
			return NO_CONDITIONS;
		}
		boolean[] result = new boolean[conditions.size()];
		for (int i = 0; i < result.length; i++) {
			CacheExpression condition = conditions.get(i);
			try {
				result[i] = condition == null || condition.isTrue(context);
			}
			catch (CacheExpressionException ex) {
				warnSkipped(operations, ex);
			}
		}
		return result;
	}

	private void warnUncached(CacheOperations operations, CacheExpressionException ex) {
		this.warnings.warn(operations.description(), () -> ex.getMessage() + "; the call runs uncached");
	}

	private void warnSkipped(CacheOperations operations, CacheExpressionException ex) {
		this.warnings.warn(operations.description(), () -> ex.getMessage() + "; the cache update is skipped");
	}

}
