package dev.tieredcache.interceptor;

import java.util.concurrent.CompletionException;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.ValueLoader;

/**
 * Runs the intercepted method as the cache's loader, remembering its result so that a
 * failure of the cache after the method ran never runs it twice.
 */
final class LoaderCall implements ValueLoader {

	private final MethodInvocation invocation;

	private final ReturnKind kind;

	private boolean ran;

	private @Nullable Object result;

	LoaderCall(MethodInvocation invocation, ReturnKind kind) {
		this.invocation = invocation;
		this.kind = kind;
	}

	@Override
	public @Nullable Object load() throws Throwable {
		Object returned;
		try {
			returned = this.invocation.proceed();
		}
		catch (Throwable ex) {
			throw new MethodFailure(ex);
		}
		this.result = unwrap(returned);
		this.ran = true;
		return this.result;
	}

	private @Nullable Object unwrap(@Nullable Object returned) throws MethodFailure {
		try {
			return this.kind.unwrap(returned);
		}
		catch (CompletionException ex) {
			throw new MethodFailure((ex.getCause() != null) ? ex.getCause() : ex);
		}
	}

	boolean hasRun() {
		return this.ran;
	}

	@Nullable Object result() {
		return this.result;
	}

}
