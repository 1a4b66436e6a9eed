package dev.tieredcache.interceptor;

import java.util.concurrent.CompletionException;

import org.jspecify.annotations.Nullable;

import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.interceptor.ReturnHandler.Call;
import dev.tieredcache.interceptor.ReturnHandler.ValueAwait;

/**
 * Runs the intercepted method as the cache's loader and waits for its value, remembering
 * it so that a failure of the cache after the method ran never runs it twice.
 */
final class LoaderCall implements ValueLoader {

	private final Call call;

	private final ValueAwait await;

	private boolean ran;

	private @Nullable Object result;

	LoaderCall(Call call, ValueAwait await) {
		this.call = call;
		this.await = await;
	}

	@Override
	public @Nullable Object load() throws Throwable {
		Object returned;
		try {
			returned = this.call.proceed();
		}
		catch (Throwable ex) {
			throw new MethodFailure(ex);
		}
		this.result = await(returned);
		this.ran = true;
		return this.result;
	}

	private @Nullable Object await(@Nullable Object returned) throws Throwable {
		try {
			return this.await.await(returned);
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
